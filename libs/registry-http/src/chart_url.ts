import { InputError } from "@charthouse/errors";

/** A URL with a scheme (Go's url.URL.IsAbs): `https://…`, `oci://…`. */
const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * The download URL of a chart, resolved the way Helm's repo.ResolveReferenceURL does it:
 * an absolute `chartUrl` is kept as written; a relative one is resolved against the repository
 * URL taken as a folder (trailing slash added), and the repository URL's query string replaces
 * the chart URL's. `indexUrl` may be the repository URL or its `…/index.yaml` URL.
 */
export function resolveChartUrl(indexUrl: string, chartUrl: string): string {
  if (ABSOLUTE.test(chartUrl)) return chartUrl;
  let base: URL;
  try {
    base = new URL(indexUrl);
  } catch (err) {
    throw new InputError(`Cannot resolve chart URL ${JSON.stringify(chartUrl)}: repository URL ${JSON.stringify(indexUrl)} is not a URL`, {
      cause: err,
    });
  }
  base.hash = "";
  base.pathname = base.pathname.replace(/\/index\.(?:yaml|json)$/, "").replace(/\/$/, "") + "/";
  let resolved: URL;
  try {
    resolved = new URL(chartUrl, base);
  } catch (err) {
    throw new InputError(`Cannot resolve chart URL ${JSON.stringify(chartUrl)} against ${JSON.stringify(indexUrl)}`, {
      code: "invalid_index",
      cause: err,
    });
  }
  resolved.search = base.search;
  return resolved.href;
}
