import { InputError, storableJson, storableText } from "@charthouse/errors";
import type { ChartArchiveLimits } from "./chart_archive_limits.ts";
import { chartArchiveLimitError, defaultChartArchiveLimits } from "./chart_archive_limits.ts";
import { parseChartYaml } from "./chart_yaml.ts";
import { collectChartFiles } from "./collect_chart_files.ts";
import { decodeChartText } from "./decode_chart_text.ts";

/** What a chart archive holds that Charthouse shows: its top-level chart's metadata and docs. */
export interface ChartArchiveContents {
  /** The top-level Chart.yaml as a plain JSON object; string fields (version, appVersion...) as written. */
  chartYaml: Record<string, unknown>;
  chartName: string;
  version: string;
  /** Chart.yaml's apiVersion, "v1" when it has none (as Helm assumes). */
  apiVersion: string;
  /** README.md, README.txt or README (any case, in that preference), or null. */
  readme: string | null;
  /** The raw text of values.yaml (or values.yml), or null. */
  values: string | null;
  /** values.schema.json parsed, or null when absent or unreadable. */
  valuesSchema: Record<string, unknown> | null;
  /** Why values.schema.json could not be used, when it exists but is not a JSON object. */
  valuesSchemaError: string | null;
  /** Regular files in the archive, subcharts included. */
  files: number;
  /** Their total size once decompressed. */
  unpackedBytes: number;
}

/**
 * Reads a Helm chart .tgz held in memory, without touching the disk, under size limits.
 * Throws InputError (invalid_chart) for archives Helm would refuse or that are unsafe, and
 * TooLargeError (too_large) when a limit is reached.
 */
export async function readChartArchive(
  bytes: Uint8Array,
  limits: Partial<ChartArchiveLimits> = {},
): Promise<ChartArchiveContents> {
  const settings: ChartArchiveLimits = { ...defaultChartArchiveLimits, ...limits };
  if (bytes.byteLength > settings.maxArchiveBytes) {
    throw chartArchiveLimitError("maxArchiveBytes", settings, `Cannot read chart archive: it is ${bytes.byteLength} bytes`);
  }
  if (bytes.byteLength === 0) {
    throw new InputError("Cannot read chart archive: it is empty (0 bytes)", { code: "invalid_chart" });
  }
  if (bytes.byteLength < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    throw new InputError("Cannot read chart archive: it is not gzip-compressed", { code: "invalid_chart" });
  }

  const collected = await collectChartFiles(bytes, settings);
  if (collected.chartYaml === null) {
    const where = collected.topFolder === null ? "the archive has no entries" : `none in top folder ${JSON.stringify(collected.topFolder)}`;
    throw new InputError(`Cannot read chart archive: no Chart.yaml (${where})`, { code: "invalid_chart" });
  }
  const chart = parseChartYaml(decodeChartText(collected.chartYaml));
  const valuesBytes = collected.valuesYaml ?? collected.valuesYml;
  const schema = collected.valuesSchema === null ? null : parseValuesSchema(collected.valuesSchema);

  return {
    chartYaml: chart.chartYaml,
    chartName: chart.chartName,
    version: chart.version,
    apiVersion: chart.apiVersion,
    // Postgres refuses NUL in text and jsonb: what a chart holds is cleaned before it is stored.
    readme: collected.readme === null ? null : storableText(decodeChartText(collected.readme.bytes)),
    values: valuesBytes === null ? null : storableText(decodeChartText(valuesBytes)),
    valuesSchema: storableJson(schema?.schema ?? null),
    valuesSchemaError: storableNullableText(schema?.error ?? null),
    files: collected.files,
    unpackedBytes: collected.unpackedBytes,
  };
}

function storableNullableText(text: string | null): string | null {
  return text === null ? null : storableText(text);
}

/** Parses values.schema.json; a broken schema is reported, not fatal, as the chart still installs without it. */
function parseValuesSchema(bytes: Uint8Array): { schema: Record<string, unknown> | null; error: string | null } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeChartText(bytes));
  } catch (err) {
    return { schema: null, error: `Cannot parse values.schema.json: ${(err as Error).message}` };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { schema: null, error: "Cannot use values.schema.json: it is not a JSON object" };
  }
  return { schema: parsed as Record<string, unknown>, error: null };
}
