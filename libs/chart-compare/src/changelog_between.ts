import { compareVersionsDesc } from "@charthouse/catalog";
import { parseLimitedYaml } from "./parse_limited_yaml.ts";
import { isValuesMap } from "./parse_values_yaml.ts";
import { chartValuesLimits } from "./values_limits.ts";

/** The Artifact Hub annotation that lists what a version changed. */
export const changesAnnotation = "artifacthub.io/changes";

/** The kinds Artifact Hub accepts in `artifacthub.io/changes`. */
export const changeKinds = ["added", "changed", "deprecated", "removed", "fixed", "security"] as const;

/** One of {@link changeKinds}. */
export type ChangeKind = (typeof changeKinds)[number];

/** One entry of the changelog, with the version that made it. */
export interface ChangelogEntry {
  version: string;
  /** null for an entry written as a plain string, or with a kind Artifact Hub does not know. */
  kind: ChangeKind | null;
  description: string;
}

/** A version and its parsed Chart.yaml, as stored. */
export interface VersionChartYaml {
  version: string;
  chartYaml: unknown;
}

/**
 * The `artifacthub.io/changes` entries of every version after the older of `from` and `to` up to
 * the newer one (Helm's version order), newest version first, each version's entries as written.
 * A version whose annotation is missing or not a YAML list adds nothing.
 */
export function changelogBetween(versions: readonly VersionChartYaml[], from: string, to: string): ChangelogEntry[] {
  const [newer, older] = compareVersionsDesc(from, to) <= 0 ? [from, to] : [to, from];
  const between = versions
    .filter(({ version }) => compareVersionsDesc(version, newer) >= 0 && compareVersionsDesc(version, older) < 0)
    .sort((a, b) => compareVersionsDesc(a.version, b.version));
  const entries: ChangelogEntry[] = [];
  const seen = new Set<string>();
  for (const { version, chartYaml } of between) {
    // The same version twice (two stored rows) must not list its changes twice.
    if (seen.has(version)) continue;
    seen.add(version);
    entries.push(...changesOf(version, chartYaml));
  }
  return entries;
}

/** The entries of one version's `artifacthub.io/changes` annotation (strings or `{ kind, description }`). */
function changesOf(version: string, chartYaml: unknown): ChangelogEntry[] {
  const annotations = isValuesMap(chartYaml) ? chartYaml["annotations"] : undefined;
  const text = isValuesMap(annotations) ? annotations[changesAnnotation] : undefined;
  if (typeof text !== "string") return [];
  let list: unknown;
  try {
    list = parseLimitedYaml(text, { what: `the ${changesAnnotation} annotation of ${version}`, limits: chartValuesLimits });
  } catch {
    // Documented above: a malformed annotation adds nothing; the rest of the comparison stands.
    return [];
  }
  if (!Array.isArray(list)) return [];
  const entries: ChangelogEntry[] = [];
  for (const item of list) {
    if (typeof item === "string" && item.trim() !== "") {
      entries.push({ version, kind: null, description: item.trim() });
    } else if (isValuesMap(item) && typeof item["description"] === "string" && item["description"].trim() !== "") {
      entries.push({ version, kind: changeKindOf(item["kind"]), description: item["description"].trim() });
    }
  }
  return entries;
}

function changeKindOf(kind: unknown): ChangeKind | null {
  if (typeof kind !== "string") return null;
  const lower = kind.trim().toLowerCase();
  return changeKinds.find((known) => known === lower) ?? null;
}
