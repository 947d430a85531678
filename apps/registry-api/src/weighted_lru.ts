/** Bounds of a WeightedLru. */
export interface WeightedLruLimits {
  /** Entries kept at most. */
  maxEntries: number;
  /** Characters (of the text an entry was made from, or its JSON) kept at most, over all entries. */
  maxChars: number;
}

interface Entry<V> {
  value: V;
  chars: number;
}

/** A cache of values by key, least recently used dropped first, bounded in entries and in their weight in characters. */
export class WeightedLru<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #limits: Readonly<WeightedLruLimits>;
  #chars = 0;

  constructor(limits: Readonly<WeightedLruLimits>) {
    this.#limits = limits;
  }

  /** Entries held now. */
  get size(): number {
    return this.#entries.size;
  }

  /** The value kept under `key`, now the most recently used, or undefined. */
  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Keeps a value that weighs `chars` characters; one heavier than the whole budget is not kept. */
  set(key: string, value: V, chars: number): void {
    const previous = this.#entries.get(key);
    if (previous !== undefined) {
      this.#entries.delete(key);
      this.#chars -= previous.chars;
    }
    if (chars > this.#limits.maxChars) return;
    this.#entries.set(key, { value, chars });
    this.#chars += chars;
    for (const [oldest, entry] of this.#entries) {
      if (this.#entries.size <= this.#limits.maxEntries && this.#chars <= this.#limits.maxChars) break;
      this.#entries.delete(oldest);
      this.#chars -= entry.chars;
    }
  }
}
