/** A registry token and when it stops working (ms since the epoch). */
export interface CachedToken {
  token: string;
  expiresAt: number;
  /** When it was obtained, to refresh it shortly before it expires. */
  obtainedAt: number;
}

/** Entries kept before expired ones are swept. */
const sweepAbove = 1_000;

/**
 * Registry tokens by (API base, login identity, scope), shared by every session of a client:
 * used until shortly before they expire, and one fetch shared by concurrent requests.
 */
export class TokenCache {
  readonly #entries = new Map<string, CachedToken>();
  readonly #pending = new Map<string, Promise<CachedToken>>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The cached token of `key` while it is fresh, else the result of `fetch` (one at a time per key). */
  get(key: string, fetch: () => Promise<CachedToken>): Promise<CachedToken> {
    const hit = this.#entries.get(key);
    if (hit !== undefined && this.#now() < refreshAt(hit)) return Promise.resolve(hit);
    const pending = this.#pending.get(key);
    if (pending !== undefined) return pending;
    const fetching = fetch()
      .then((token) => {
        if (this.#entries.size >= sweepAbove) this.#sweep();
        this.#entries.set(key, token);
        return token;
      })
      .finally(() => this.#pending.delete(key));
    this.#pending.set(key, fetching);
    return fetching;
  }

  /** Forgets `token` under `key` (the registry refused it), unless a newer one replaced it already. */
  drop(key: string, token: string): void {
    if (this.#entries.get(key)?.token === token) this.#entries.delete(key);
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }
}

// Refresh a fifth of the lifetime early, at most 30 s: a 60 s token is used for 48 s.
function refreshAt(token: CachedToken): number {
  const lifetime = Math.max(0, token.expiresAt - token.obtainedAt);
  return token.expiresAt - Math.min(30_000, lifetime / 5);
}
