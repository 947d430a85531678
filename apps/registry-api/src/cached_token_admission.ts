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
 * each one a Postgres round trip. A token revoked through this process stops working at once
 * (see forget); one revoked through another copy of the API within that time. An expiring one
 * is remembered no longer than its expiry. Refused tokens are never remembered.
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

  /** Stops admitting the token with this id without asking Postgres again (it was just revoked). */
  forget(tokenId: string): void {
    this.#admitted.deleteWhere((auth) => auth.tokenId === tokenId);
  }
}

const admissions = new WeakMap<object, CachedTokenAdmission>();

/**
 * The one admission of every router built on these token repositories (the API's and the Helm
 * repositories'), so revoking a token through either forgets it for both.
 */
export function sharedTokenAdmission(tokens: Pick<ApiTokenRepository, "findUsable" | "touchLastUsed">, log: Logger): CachedTokenAdmission {
  let admission = admissions.get(tokens);
  if (admission === undefined) {
    admission = new CachedTokenAdmission(tokens, log);
    admissions.set(tokens, admission);
  }
  return admission;
}
