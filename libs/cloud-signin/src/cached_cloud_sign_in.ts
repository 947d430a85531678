import { createHash } from "node:crypto";
import type { CloudCredential, CloudSignIn, RegistryLogin } from "@charthouse/credentials";

/** Options of cachedCloudSignIn. */
export interface CachedCloudSignInOptions {
  /**
   * CHARTHOUSE_CLOUD_TOKEN_MARGIN_MS: a login is fetched again this long before it expires (at
   * most half its lifetime, so short-lived tokens are still reused), in ms.
   */
  marginMs: number;
  /** How long a login without an expiry is kept, in ms. Default 15 minutes. */
  maxAgeMs?: number;
  /** The clock, for tests. */
  now?: () => number;
}

/** A cloud sign-in whose logins are cached; `forget` drops one the registry refused. */
export interface CachedCloudSignIn extends CloudSignIn {
  forget(credentialId: string, registryUrl: string): void;
}

interface Entry {
  credentialId: string;
  host: string;
  /** The exchange in flight, shared by every caller until it settles. */
  pending: Promise<RegistryLogin> | undefined;
  login: RegistryLogin | undefined;
  /** When the login must no longer be handed out. */
  refreshAt: number;
}

/**
 * Caches the logins of `inner` per credential (and a hash of its secret, so a replaced secret
 * is not served from the cache) and registry host until shortly before they expire. Concurrent
 * callers share one exchange; a failed exchange is not cached.
 */
export function cachedCloudSignIn(inner: CloudSignIn, options: CachedCloudSignInOptions): CachedCloudSignIn {
  const now = options.now ?? Date.now;
  const maxAgeMs = options.maxAgeMs ?? 15 * 60_000;
  const entries = new Map<string, Entry>();

  const refreshTime = (login: RegistryLogin, obtainedAt: number): number => {
    if (login.expiresAt === null) return obtainedAt + maxAgeMs;
    const lifetime = login.expiresAt - obtainedAt;
    return login.expiresAt - Math.min(options.marginMs, Math.max(0, lifetime / 2));
  };

  const sweep = (at: number): void => {
    for (const [key, entry] of entries) {
      if (entry.pending === undefined && entry.refreshAt <= at) entries.delete(key);
    }
  };

  const signIn = async (credential: CloudCredential, registryUrl: string): Promise<RegistryLogin> => {
    const host = hostOf(registryUrl);
    const key = `${credential.id}\u0000${secretHash(credential)}\u0000${host}`;
    const at = now();
    const cached = entries.get(key);
    if (cached?.pending !== undefined) return await cached.pending;
    if (cached?.login !== undefined && at < cached.refreshAt) return cached.login;
    sweep(at);
    const entry: Entry = { credentialId: credential.id, host, pending: undefined, login: undefined, refreshAt: 0 };
    entry.pending = inner(credential, registryUrl).then(
      (login) => {
        entry.pending = undefined;
        entry.login = login;
        entry.refreshAt = refreshTime(login, at);
        return login;
      },
      (err: unknown) => {
        // Not cached: the next caller tries again (the error itself says whether to wait).
        if (entries.get(key) === entry) entries.delete(key);
        throw err;
      },
    );
    entries.set(key, entry);
    return await entry.pending;
  };

  return Object.assign(signIn, {
    forget(credentialId: string, registryUrl: string): void {
      const host = hostOf(registryUrl);
      for (const [key, entry] of entries) {
        if (entry.credentialId === credentialId && entry.host === host) entries.delete(key);
      }
    },
  });
}

function hostOf(registryUrl: string): string {
  try {
    return new URL(registryUrl).host.toLowerCase();
  } catch {
    return registryUrl.toLowerCase();
  }
}

/** A digest of the secret: distinguishes a replaced secret without keeping a second copy of it. */
function secretHash(credential: CloudCredential): string {
  return createHash("sha256").update(`${credential.kind}\u0000${JSON.stringify(credential.secret)}`).digest("base64url");
}
