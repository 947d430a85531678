import type { ComparedVersion } from "@charthouse/chart-compare";

/** Bounds of a ComparedVersionCache. */
export interface ComparedVersionCacheLimits {
  /** Versions kept at most. */
  maxEntries: number;
  /** Characters of stored text (values.yaml, schema and Chart.yaml as JSON) kept at most, over all entries. */
  maxChars: number;
}

/** A few hundred versions, and at most 64 Mi characters of their text (their parsed form is a few times that). */
export const defaultComparedVersionCacheLimits: Readonly<ComparedVersionCacheLimits> = Object.freeze({
  maxEntries: 300,
  maxChars: 64 * 1024 * 1024,
});

interface Entry {
  version: ComparedVersion;
  chars: number;
}

/**
 * Versions read for comparing (values parsed, images listed), least recently used dropped first.
 * Keyed by version id and archive digest: a version re-extracted from another archive is read again.
 */
export class ComparedVersionCache {
  readonly #entries = new Map<string, Entry>();
  readonly #limits: Readonly<ComparedVersionCacheLimits>;
  #chars = 0;

  constructor(limits: Readonly<ComparedVersionCacheLimits> = defaultComparedVersionCacheLimits) {
    this.#limits = limits;
  }

  /** The key of a version's stored metadata. */
  static keyOf(versionId: string, archiveSha256: string | null): string {
    return `${versionId}:${archiveSha256 ?? ""}`;
  }

  /** Versions held now. */
  get size(): number {
    return this.#entries.size;
  }

  /** The version kept under `key`, now the most recently used, or undefined. */
  get(key: string): ComparedVersion | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.version;
  }

  /** Keeps a version that weighs `chars` characters of text; one heavier than the whole budget is not kept. */
  set(key: string, version: ComparedVersion, chars: number): void {
    const previous = this.#entries.get(key);
    if (previous !== undefined) {
      this.#entries.delete(key);
      this.#chars -= previous.chars;
    }
    if (chars > this.#limits.maxChars) return;
    this.#entries.set(key, { version, chars });
    this.#chars += chars;
    for (const [oldest, entry] of this.#entries) {
      if (this.#entries.size <= this.#limits.maxEntries && this.#chars <= this.#limits.maxChars) break;
      this.#entries.delete(oldest);
      this.#chars -= entry.chars;
    }
  }
}
