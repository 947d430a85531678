import { compareVersionsDesc } from "./version_order.ts";

/** One stored, ready version as a Helm repository index lists it. */
export interface HelmIndexSource {
  chart: string;
  version: string;
  /** The archive's Chart.yaml as extracted (untrusted: only well-typed fields are kept). */
  chartYaml: unknown;
  /** The upstream index's `created`, if any. */
  created: string | null;
  /** When Charthouse first saw the version: `created` when the upstream gave none. */
  discoveredAt: Date;
  /** sha256 of the stored archive, hex. */
  archiveSha256: string;
}

/** A version in a Helm repository index: Chart.yaml's fields plus urls, created and digest. */
export type HelmIndexEntry = Record<string, unknown> & { name: string; version: string; urls: string[]; created: string; digest: string };

/** index.yaml as helm reads it. */
export interface HelmIndexDocument {
  apiVersion: "v1";
  entries: Record<string, HelmIndexEntry[]>;
  generated: string;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const stringFields = ["description", "home", "icon", "appVersion", "kubeVersion", "type", "condition", "tags"] as const;
const stringListFields = ["keywords", "sources"] as const;

/**
 * The index of a Helm repository that serves `sources`: charts by name, versions newest first
 * (Helm's order), each with the Chart.yaml fields helm reads, `created`, `digest` and a `urls`
 * entry relative to the repository (`charts/{name}-{version}.tgz`). Fields of the wrong type are
 * left out, since one would make helm reject the whole index. `generated` is the newest
 * `created`, so the same versions always give the same bytes (and the same ETag).
 */
export function helmIndexDocument(sources: readonly HelmIndexSource[]): HelmIndexDocument {
  const byChart = new Map<string, HelmIndexSource[]>();
  for (const source of sources) {
    const list = byChart.get(source.chart);
    if (list) list.push(source);
    else byChart.set(source.chart, [source]);
  }
  const entries: Record<string, HelmIndexEntry[]> = {};
  let generated = helmIndexEpoch;
  for (const name of [...byChart.keys()].sort()) {
    const chartEntries = helmChartEntries(byChart.get(name) ?? []);
    for (const entry of chartEntries) generated = laterCreated(generated, entry.created);
    entries[name] = chartEntries;
  }
  return { apiVersion: "v1", entries, generated };
}

/** `generated` of an index that lists nothing. */
export const helmIndexEpoch = "1970-01-01T00:00:00Z";

/** The entries of one chart's versions in a Helm repository index, newest first (Helm's order). */
export function helmChartEntries(sources: readonly HelmIndexSource[]): HelmIndexEntry[] {
  return sources.map(helmIndexEntry).sort((a, b) => compareVersionsDesc(a.version, b.version));
}

/** The later of two `created` stamps of index entries: how an index's `generated` is found. */
export function laterCreated(current: string, created: string): string {
  return Date.parse(created) > Date.parse(current) ? created : current;
}

/** The path, relative to the repository, that serves a version's archive. */
export function helmArchivePath(chart: string, version: string): string {
  return `charts/${encodeURIComponent(chart)}-${encodeURIComponent(version)}.tgz`;
}

function helmIndexEntry(source: HelmIndexSource): HelmIndexEntry {
  const yaml = isRecord(source.chartYaml) ? source.chartYaml : {};
  const entry: HelmIndexEntry = {
    apiVersion: typeof yaml["apiVersion"] === "string" && yaml["apiVersion"] !== "" ? yaml["apiVersion"] : "v1",
    name: source.chart,
    version: source.version,
    created: source.created !== null && RFC3339.test(source.created) ? source.created : source.discoveredAt.toISOString(),
    digest: source.archiveSha256,
    urls: [helmArchivePath(source.chart, source.version)],
  };
  for (const field of stringFields) {
    if (typeof yaml[field] === "string") entry[field] = yaml[field];
  }
  for (const field of stringListFields) {
    const list = stringList(yaml[field]);
    if (list) entry[field] = list;
  }
  if (typeof yaml["deprecated"] === "boolean") entry["deprecated"] = yaml["deprecated"];
  const annotations = stringMap(yaml["annotations"]);
  if (annotations) entry["annotations"] = annotations;
  const maintainers = records(yaml["maintainers"], (m) => pickStrings(m, ["name", "email", "url"]));
  if (maintainers) entry["maintainers"] = maintainers;
  const dependencies = records(yaml["dependencies"], dependency);
  if (dependencies) entry["dependencies"] = dependencies;
  return entry;
}

function dependency(value: Record<string, unknown>): Record<string, unknown> {
  const out = pickStrings(value, ["name", "version", "repository", "condition", "alias"]);
  const tags = stringList(value["tags"]);
  if (tags) out["tags"] = tags;
  if (typeof value["enabled"] === "boolean") out["enabled"] = value["enabled"];
  if (Array.isArray(value["import-values"])) out["import-values"] = value["import-values"];
  return out;
}

function records(value: unknown, pick: (record: Record<string, unknown>) => Record<string, unknown>): Record<string, unknown>[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter(isRecord).map(pick);
}

function pickStrings(value: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (typeof value[field] === "string") out[field] = value[field];
  }
  return out;
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : undefined;
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
