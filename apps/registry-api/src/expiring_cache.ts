/** Bounds of an ExpiringCache. */
export interface ExpiringCacheLimits {
  /** How long an entry is kept, in milliseconds (0 keeps nothing). */
  ttlMs: number;
  /** Entries kept at most; the oldest is dropped first. */
  maxEntries: number;
  /** The clock, in milliseconds (tests move it). */
  now?: () => number;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * A small in-process cache of values by key that each live a short, fixed time: what a request
 * may reuse for a few seconds instead of asking Postgres again. Bounded in entries.
 */
export class ExpiringCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(limits: Readonly<ExpiringCacheLimits>) {
    this.#ttlMs = limits.ttlMs;
    this.#maxEntries = limits.maxEntries;
    this.#now = limits.now ?? Date.now;
  }

  /** Entries held now (expired ones included until they are looked up or pushed out). */
  get size(): number {
    return this.#entries.size;
  }

  /** The value kept under `key`, or undefined when there is none or it has expired. */
  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Keeps `value` under `key` for the cache's TTL, or until `expiresAt` (ms) when that is sooner. */
  set(key: string, value: V, expiresAt = Infinity): void {
    const until = Math.min(this.#now() + this.#ttlMs, expiresAt);
    this.#entries.delete(key);
    if (until <= this.#now()) return;
    this.#entries.set(key, { value, expiresAt: until });
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(oldest);
    }
  }

  /** Forgets `key`. */
  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** Forgets every entry whose value matches (the cache is small: this looks at each). */
  deleteWhere(matches: (value: V) => boolean): void {
    for (const [key, entry] of this.#entries) if (matches(entry.value)) this.#entries.delete(key);
  }
}
