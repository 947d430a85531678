import { UpstreamError } from "@charthouse/errors";
import type { RegistryLogin } from "@charthouse/credentials";
import { displayUrl, registryRequest, registryText } from "@charthouse/outbound-http";
import type { CachedToken } from "./token_cache.ts";

/** Where a registry sends clients for tokens (its Bearer challenge). */
export interface TokenRealm {
  realm: string;
  service: string | undefined;
}

/** The request limits and shared services a token request runs under. */
export interface TokenRequestContext {
  request: { timeoutMs: number; bodyTimeoutMs: number; deadlineMs?: number | undefined; blockPrivateNetworks: boolean };
  /** Runs one request to `origin` under its circuit breaker and rate limit. */
  guard<T>(origin: string, fn: () => Promise<T>): Promise<T>;
  signal: AbortSignal | undefined;
  now(): number;
}

/** The token endpoint refused the login (401/403): the caller tells a wrong credential from a missing one. */
export class RealmRefusal extends Error {
  override name = "RealmRefusal";
  readonly status: number;
  readonly registryMessage: string;
  constructor(message: string, status: number, registryMessage: string) {
    super(message);
    this.status = status;
    this.registryMessage = registryMessage;
  }
}

/** The client id Charthouse names in OAuth2 forms (registries log it; none checks it). */
const clientId = "charthouse";
/** Username sent with a `bearer` login where the realm takes Basic only (GHCR and GitLab read the token alone). */
export const bearerLoginUsername = "charthouse";
const maxTokenResponseBytes = 1024 * 1024;
/** Token lifetime when the endpoint names none, per the distribution token spec. */
const defaultExpiresInSeconds = 60;

/**
 * Gets a registry token for `scope` from the realm: GET with the login as Basic (or anonymously),
 * the OAuth2 POST form for a refresh token (Azure ACR), and `grant_type=password` when the realm
 * answers GET with 404 or 405. Throws RealmRefusal when the realm refuses the login.
 */
export async function requestRegistryToken(
  realm: TokenRealm,
  scope: string,
  login: RegistryLogin | null,
  context: TokenRequestContext,
): Promise<CachedToken> {
  const url = realmUrl(realm.realm);
  if (login?.type === "refresh_token") {
    return await postForm(url, { grant_type: "refresh_token", refresh_token: login.refreshToken, ...formScope(realm, scope) }, context);
  }
  const get = new URL(url);
  if (realm.service !== undefined) get.searchParams.set("service", realm.service);
  get.searchParams.set("scope", scope);
  const basic = basicOf(login);
  const response = await context.guard(get.origin, () =>
    registryRequest(get, {
      ...(basic === null ? {} : { auth: `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString("base64")}`, authOrigin: get.origin }),
      ...tokenRequestLimits(context),
      acceptStatuses: [200, 401, 403, 404, 405],
    }),
  );
  const text = response.body === null ? "" : Buffer.from(response.body).toString("utf8");
  if (response.status === 401 || response.status === 403) {
    throw new RealmRefusal(`GET ${displayUrl(get)} refused the ${basic === null ? "anonymous request" : "login"} (${response.status})`, response.status, registryText(text));
  }
  if (response.status === 404 || response.status === 405) {
    if (basic === null) {
      throw new UpstreamError("registry_error", `GET ${displayUrl(get)} answered ${response.status}: the token endpoint gives no anonymous tokens`, {
        status: response.status,
        solution: "Add a registry credential, or check the registry's token service",
      });
    }
    return await postForm(url, { grant_type: "password", username: basic.username, password: basic.password, ...formScope(realm, scope) }, context);
  }
  return parseTokenResponse(text, `GET ${displayUrl(get)}`, context.now());
}

/** What every request to a token endpoint shares: JSON, size and time limits, the destination guard. */
function tokenRequestLimits(context: TokenRequestContext) {
  return {
    headers: { accept: "application/json" },
    maxBytes: maxTokenResponseBytes,
    limitSetting: "the token response limit (1 MiB)",
    timeoutMs: context.request.timeoutMs,
    bodyTimeoutMs: context.request.bodyTimeoutMs,
    ...(context.request.deadlineMs === undefined ? {} : { deadlineMs: context.request.deadlineMs }),
    blockPrivateNetworks: context.request.blockPrivateNetworks,
    ...(context.signal === undefined ? {} : { signal: context.signal }),
  };
}

async function postForm(url: URL, form: Record<string, string>, context: TokenRequestContext): Promise<CachedToken> {
  const answer = await context.guard(url.origin, () =>
    registryRequest(url, {
      method: "POST",
      form,
      ...tokenRequestLimits(context),
      // Other statuses are mapped by registryRequest (5xx and 429 retried, honouring Retry-After).
      acceptStatuses: [200, 400, 401, 403],
    }),
  );
  const text = answer.body === null ? "" : Buffer.from(answer.body).toString("utf8");
  const what = `POST ${displayUrl(url)} (grant_type=${form.grant_type ?? ""})`;
  if (answer.status === 400 || answer.status === 401 || answer.status === 403) {
    // OAuth2 answers a bad grant with 400 invalid_grant (RFC 6749 §5.2).
    throw new RealmRefusal(`${what} refused the login (${answer.status})`, answer.status, registryText(text));
  }
  return parseTokenResponse(text, what, context.now());
}

/** Reads `{ token | access_token, expires_in?, issued_at? }` into a token and its expiry. */
export function parseTokenResponse(text: string, what: string, now: number): CachedToken {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new UpstreamError("registry_error", `${what} did not answer JSON`, { status: 200, cause: err });
  }
  const record = typeof document === "object" && document !== null ? (document as Record<string, unknown>) : {};
  const token = typeof record.token === "string" && record.token !== "" ? record.token : record.access_token;
  if (typeof token !== "string" || token === "") {
    throw new UpstreamError("registry_error", `${what} answered without a token or access_token`, { status: 200 });
  }
  const expiresIn = typeof record.expires_in === "number" && record.expires_in > 0 ? record.expires_in : defaultExpiresInSeconds;
  const issued = typeof record.issued_at === "string" ? Date.parse(record.issued_at) : Number.NaN;
  // A token issued "in the future" says the clocks differ; count from now then.
  const start = Number.isFinite(issued) && issued <= now ? issued : now;
  return { token, expiresAt: start + expiresIn * 1000, obtainedAt: now };
}

function formScope(realm: TokenRealm, scope: string): Record<string, string> {
  return { ...(realm.service === undefined ? {} : { service: realm.service }), scope, client_id: clientId };
}

function basicOf(login: RegistryLogin | null): { username: string; password: string } | null {
  if (login === null) return null;
  if (login.type === "basic") return { username: login.username, password: login.password };
  if (login.type === "bearer") return { username: bearerLoginUsername, password: login.token };
  return null;
}

function realmUrl(realm: string): URL {
  let url: URL;
  try {
    url = new URL(realm);
  } catch (err) {
    throw new UpstreamError("registry_error", `The registry names an invalid token realm "${realm.slice(0, 100)}"`, { status: 401, cause: err });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UpstreamError("registry_error", `The registry names a token realm that is not http(s): ${displayUrl(url)}`, { status: 401 });
  }
  return url;
}
