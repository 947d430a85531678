/** HTTP chart repositories: the index.yaml request, the fast parser, content hash, chart URLs. */
export { fetchIndex, type FetchedIndex, type FetchIndexOptions, type IndexValidators } from "./fetch_index.ts";
export { parseIndex } from "./index_parser.ts";
export { indexContentHash } from "./index_content_hash.ts";
export { resolveChartUrl } from "./chart_url.ts";
export type {
  IndexChartVersion,
  IndexDependency,
  IndexDuplicate,
  IndexProblem,
  IndexVersionMetadata,
  ParsedIndex,
  ParseIndexOptions,
} from "./index_model.ts";
