import type { ApiTokenRepository } from "@charthouse/db";
import type { Logger } from "@charthouse/logging";
import { admitToken, hashToken, type RequestAuth } from "./auth.ts";
import { ExpiringCache } from "./expiring_cache.ts";

/** Options of {@link CachedTokenAdmission}. */
export interface CachedTokenAdmissionOptions {
  /** How long an admitted token is admitted again without asking Postgres, in ms (default 5 s; 0 never). */
  ttlMs?: number;
  /** Tokens remembered at most (default 1,000). */
  maxTokens?: number;
  /** The clock, in milliseconds (tests move it). */
  now?: () => number;
}

/** How long a revoked token may still be admitted by a copy of the API that admitted it just before. */
export const tokenCacheMs = 5_000;

/**
 * Admits API tokens as admitToken does, and remembers each admitted one for a few seconds, by
 * the sha256 of its value (never the value), so a client that sends many requests does not make
 * each one a Postgres round trip. A revoked token therefore stops working within that time; an
 * expiring one is remembered no longer than its expiry. Refused tokens are never remembered.
 */
export class CachedTokenAdmission {
  readonly #tokens: Pick<ApiTokenRepository, "findUsable" | "touchLastUsed">;
  readonly #log: Logger;
  readonly #admitted: ExpiringCache<RequestAuth>;

  constructor(tokens: Pick<ApiTokenRepository, "findUsable" | "touchLastUsed">, log: Logger, options: CachedTokenAdmissionOptions = {}) {
    this.#tokens = tokens;
    this.#log = log;
    this.#admitted = new ExpiringCache({
      ttlMs: options.ttlMs ?? tokenCacheMs,
      maxEntries: options.maxTokens ?? 1_000,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** Who the token `value` is; throws UnauthorizedError (with `solution`) when it is unknown, revoked or expired. */
  async admit(value: string, solution: string): Promise<RequestAuth> {
    const key = hashToken(value);
    const remembered = this.#admitted.get(key);
    if (remembered !== undefined) return remembered;
    const auth = await admitToken(this.#tokens, this.#log, value, solution);
    this.#admitted.set(key, auth, auth.expiresAt === null ? Infinity : auth.expiresAt.getTime());
    return auth;
  }
}
