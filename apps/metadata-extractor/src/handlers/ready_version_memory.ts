import { readComparedVersion, type ComparedVersion, type ReadVersion } from "@charthouse/chart-compare";

/** A version this process made ready, as a later version of its chart compares against it. */
interface Remembered {
  archiveSha256: string;
  version: ComparedVersion;
}

/**
 * The versions this process made ready last, by id, with their values parsed once: a chart's
 * versions mostly arrive together, so the previous version of the one being summarised is
 * usually here, and neither read back from Postgres nor parsed again. An entry counts only for
 * the archive it was read from (a version re-downloaded under another digest is read afresh).
 */
export class ReadyVersionMemory {
  readonly #capacity: number;
  readonly #entries = new Map<string, Remembered>();

  constructor(capacity = 500) {
    this.#capacity = capacity;
  }

  remember(versionId: string, archiveSha256: string, version: ComparedVersion): void {
    this.#entries.delete(versionId);
    this.#entries.set(versionId, { archiveSha256, version });
    if (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** The remembered version, when it was read from `archiveSha256`. */
  recall(versionId: string, archiveSha256: string | null): ComparedVersion | undefined {
    const entry = this.#entries.get(versionId);
    return entry !== undefined && entry.archiveSha256 === archiveSha256 ? entry.version : undefined;
  }
}

/**
 * Whether two versions read alike: the same values text, and the same Chart.yaml fields that
 * images are read from beside the values. Their readings (see readComparedVersion) are then equal.
 */
export function readAlike(a: ComparedVersion, b: ComparedVersion): boolean {
  return a.values === b.values && sameImageSources(a.chartYaml, b.chartYaml);
}

/** `version` read once (see readComparedVersion), kept on it for later comparisons. */
export function readOnce(version: ComparedVersion): ReadVersion {
  version.read ??= readComparedVersion(version);
  return version.read;
}

/** Whether two Chart.yaml name the same images beside the values: same annotations and appVersion. */
function sameImageSources(a: unknown, b: unknown): boolean {
  const fieldsOf = (chartYaml: unknown): string => {
    const record = typeof chartYaml === "object" && chartYaml !== null ? (chartYaml as Record<string, unknown>) : {};
    return JSON.stringify([record["annotations"] ?? null, record["appVersion"] ?? null]);
  };
  return fieldsOf(a) === fieldsOf(b);
}
