import { createHash } from "node:crypto";
import { UnauthorizedError } from "@charthouse/errors";
import { loginAuthorizationHeader, type RegistryLogin, type RegistryLogins, type SealedCredentialRow } from "@charthouse/credentials";
import type { CachedToken, TokenCache } from "./token_cache.ts";
import { bearerLoginUsername, RealmRefusal, type TokenRealm } from "./token_endpoint.ts";
import { parseWwwAuthenticate } from "./www_authenticate.ts";

/** How a registry wants to be signed in to, learnt from its first 401 and kept per API base. */
export type RegistryScheme = { type: "basic" } | ({ type: "bearer" } & TokenRealm);

/** The Authorization a request carried, to judge the registry's 401. */
export interface SentAuthorization {
  header: string | undefined;
  /** The token sent, with the cache key it came from; `fresh` when fetched for this request, not from the cache. */
  token: { key: string; value: CachedToken; fresh: boolean } | undefined;
}

/** Retries already spent on one request. */
export interface AuthAttempts {
  tokenRefreshed: boolean;
  loginForgotten: boolean;
}

/** A registry token refused for lacking access (`error="insufficient_scope"`). */
export class InsufficientScopeError extends UnauthorizedError {
  override name = "InsufficientScopeError";
}

/** What a session's auth needs from its client. */
export interface SessionAuthOptions {
  apiBase: string;
  credential: SealedCredentialRow | null;
  logins: RegistryLogins;
  tokens: TokenCache;
  /** Schemes by API base, shared by the client's sessions. */
  schemes: Map<string, RegistryScheme>;
  /** Asks the realm for a token (see requestRegistryToken). */
  fetchToken(realm: TokenRealm, scope: string, login: RegistryLogin | null): Promise<CachedToken>;
}

/**
 * The sign-in of one session: Basic or the Bearer token flow as the registry asks, tokens from
 * the shared cache, and the judgement of a 401 (retry once with a fresh token or login, or fail
 * with `unauthorized`, `credential_rejected` or InsufficientScopeError).
 */
export class SessionAuth {
  readonly #options: SessionAuthOptions;
  #login: Promise<RegistryLogin | null> | undefined;

  constructor(options: SessionAuthOptions) {
    this.#options = options;
  }

  /** True when the session signs in with a credential. */
  get hasCredential(): boolean {
    return this.#options.credential !== null;
  }

  /** The session's login, opened once (and again after {@link forgetLogin}). */
  login(): Promise<RegistryLogin | null> {
    this.#login ??= this.#options.logins.login(this.#options.credential, this.#options.apiBase).catch((err: unknown) => {
      this.#login = undefined;
      throw err;
    });
    return this.#login;
  }

  /** Drops the login (the registry or its realm refused it), so that cloud tokens are exchanged again. */
  forgetLogin(): void {
    if (this.#options.credential !== null) this.#options.logins.forget(this.#options.credential, this.#options.apiBase);
    this.#login = undefined;
  }

  /** The Authorization for a request that needs `scope`, from what is known of the registry's scheme. */
  async authorization(scope: string): Promise<SentAuthorization> {
    const scheme = this.#options.schemes.get(this.#options.apiBase);
    if (scheme === undefined) return { header: undefined, token: undefined };
    if (scheme.type === "basic") {
      const login = await this.login();
      return { header: login === null ? undefined : basicHeader(login), token: undefined };
    }
    const key = this.#tokenKey(scope);
    const started = Date.now();
    const value = await this.#options.tokens.get(key, () => this.#obtainToken(scheme, scope));
    return { header: `Bearer ${value.token}`, token: { key, value, fresh: value.obtainedAt >= started } };
  }

  /**
   * Judges a 401 of the registry: returns when the request should be sent again (scheme learnt,
   * stale token dropped, login forgotten), throws when it is final.
   */
  async onUnauthorized(
    challengeHeader: string | undefined,
    sent: SentAuthorization,
    attempts: AuthAttempts,
    what: { request: string; repository: string | null; registryMessage: string },
  ): Promise<void> {
    const challenges = parseWwwAuthenticate(challengeHeader);
    const bearer = challenges.find((challenge) => challenge.scheme === "bearer" && challenge.params.realm !== undefined);
    const basic = challenges.find((challenge) => challenge.scheme === "basic");
    const known = this.#options.schemes.get(this.#options.apiBase);
    if (bearer !== undefined) {
      const realm = bearer.params.realm ?? "";
      this.#options.schemes.set(this.#options.apiBase, { type: "bearer", realm, service: bearer.params.service });
      if (sent.token === undefined && known?.type !== "bearer") return;
      if (sent.token !== undefined) this.#options.tokens.drop(sent.token.key, sent.token.value.token);
      // A cached token may have expired or been revoked early: fetch one more, once.
      if (sent.token === undefined || (!sent.token.fresh && !attempts.tokenRefreshed)) {
        attempts.tokenRefreshed = true;
        return;
      }
      if (bearer.params.error === "insufficient_scope") throw this.#insufficientScope(what);
      throw this.#refused(what, "the registry refused the token it issued");
    }
    if (basic !== undefined) {
      this.#options.schemes.set(this.#options.apiBase, { type: "basic" });
      const login = await this.login();
      if (login === null) throw this.#refused(what, "the registry requires a credential");
      if (sent.header === undefined) return;
      if (!attempts.loginForgotten) {
        attempts.loginForgotten = true;
        this.forgetLogin();
        return;
      }
      throw this.#refused(what, "the registry rejected the credential");
    }
    throw this.#refused(what, "the registry names no sign-in method it accepts");
  }

  /** The error for a 403, or a 401 that cannot be retried. */
  refusal(what: { request: string; repository: string | null; registryMessage: string }, why: string): UnauthorizedError {
    return this.#refused(what, why);
  }

  async #obtainToken(realm: TokenRealm, scope: string): Promise<CachedToken> {
    let login = await this.login();
    try {
      return await this.#options.fetchToken(realm, scope, login);
    } catch (err) {
      if (!(err instanceof RealmRefusal)) throw err;
      if (login === null) throw this.#realmRefused(err, false);
      // A cloud login may have expired early: forget it, sign in again, and ask once more.
      this.forgetLogin();
      login = await this.login();
      try {
        return await this.#options.fetchToken(realm, scope, login);
      } catch (again) {
        if (again instanceof RealmRefusal) throw this.#realmRefused(again, true);
        throw again;
      }
    }
  }

  #realmRefused(refusal: RealmRefusal, withCredential: boolean): UnauthorizedError {
    const cause = refusal.registryMessage === "" ? {} : { cause: `Registry said: ${refusal.registryMessage}` };
    return withCredential
      ? new UnauthorizedError(`${refusal.message}: the token service rejected the credential`, { code: "credential_rejected", ...cause })
      : new UnauthorizedError(`${refusal.message}: the token service requires a credential`, { code: "unauthorized", ...cause });
  }

  #insufficientScope(what: { request: string; repository: string | null; registryMessage: string }): UnauthorizedError {
    const target = what.repository === null ? "list the registry's repositories" : `pull ${what.repository}`;
    const cause = what.registryMessage === "" ? {} : { cause: `Registry said: ${what.registryMessage}` };
    return this.hasCredential
      ? new InsufficientScopeError(`${what.request} was refused: the credential lacks access to ${target} (insufficient_scope)`, {
          code: "credential_rejected",
          solution: `Grant the credential pull access to ${what.repository ?? "the registry's catalog"}, or use another credential`,
          ...cause,
        })
      : new InsufficientScopeError(`${what.request} was refused: anonymous users may not ${target} (insufficient_scope)`, {
          code: "unauthorized",
          ...cause,
        });
  }

  #refused(what: { request: string; registryMessage: string }, why: string): UnauthorizedError {
    const cause = what.registryMessage === "" ? {} : { cause: `Registry said: ${what.registryMessage}` };
    return this.hasCredential
      ? new UnauthorizedError(`${what.request} was refused: ${why}`, { code: "credential_rejected", ...cause })
      : new UnauthorizedError(`${what.request} was refused: the registry requires a credential`, { code: "unauthorized", ...cause });
  }

  #tokenKey(scope: string): string {
    const credential = this.#options.credential;
    // The sealed secret's hash tells a replaced secret of the same credential apart.
    const identity =
      credential === null ? "anonymous" : `${credential.id}:${createHash("sha256").update(credential.ciphertext).digest("hex").slice(0, 16)}`;
    return `${this.#options.apiBase} ${identity} ${scope}`;
  }
}

function basicHeader(login: RegistryLogin): string {
  if (login.type === "bearer") {
    return `Basic ${Buffer.from(`${bearerLoginUsername}:${login.token}`).toString("base64")}`;
  }
  return loginAuthorizationHeader(login);
}
