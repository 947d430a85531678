import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { request as httpRequest } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson, startLocalHttp } from "./local_http.ts";

/** The claims of a registry access token (the distribution token spec), for the test's signer. */
export interface AcrAccessTokenClaims {
  /** The service principal's client ID. */
  sub: string;
  /** The `service` asked for: the registry host. */
  aud: string;
  access: { type: string; name: string; actions: string[] }[];
  /** Lifetime in seconds. */
  expiresIn: number;
}

/** Options of {@link startFakeAcrAuthServer}. */
export interface StartFakeAcrAuthServerOptions {
  /** Says whether an Entra ID access token is valid and for whom (see FakeEntraIdServer.introspect). */
  introspect(accessToken: string): { tenantId: string; clientId: string; scope: string } | undefined;
  /** Signs a registry access token, so that the test's docker-registry (token auth) accepts it. */
  signAccessToken(claims: AcrAccessTokenClaims): string | Promise<string>;
  /**
   * Lifetime of each refresh token, in seconds, or a function of the service principal it is for
   * (short-lived for the client under test, longer for the test's own pushes). Default 3 hours, as ACR.
   */
  refreshTokenTtlSeconds?: number | ((principal: { clientId: string; tenantId: string }) => number);
  /** Lifetime of each access token, in seconds. Default 300. */
  accessTokenTtlSeconds?: number;
  /** The Entra ID scopes /oauth2/exchange accepts tokens for. Default ARM's and ACR's own. */
  acceptedScopes?: readonly string[];
}

/** A local fake of Azure ACR's token service, in front of a real registry when asked to. */
export interface FakeAcrAuthServer {
  /** `http://127.0.0.1:PORT`: the registry URL to sign in to, and its token realm `${url}/oauth2/token`. */
  url: string;
  /** Refresh tokens issued by /oauth2/exchange, oldest first. */
  exchanges: { clientId: string; tenantId: string; service: string; refreshToken: string; expiresAt: number }[];
  /** Access tokens issued by /oauth2/token. */
  accessTokens: { clientId: string; scope: string }[];
  /** Errors sent back, by endpoint: `exchange: ...`, `token: ...`. */
  refusals: string[];
  /** Forwards every other request (/v2/...) to this registry, as ACR serves both on one host. */
  proxyTo(upstream: string): void;
  close(): Promise<void>;
}

const defaultScopes = ["https://management.azure.com/.default", "https://containerregistry.azure.net/.default"];

/**
 * Starts a fake of ACR's token service:
 * - `POST /oauth2/exchange` (form `grant_type=access_token`, `service`, `tenant`, `access_token`):
 *   an Entra ID token for the registry -> `{ refresh_token }`, a JWT with `exp`;
 * - `POST /oauth2/token` (form `grant_type=refresh_token`, `service`, `scope`, `refresh_token`)
 *   and `GET /oauth2/token` with Basic `00000000-0000-0000-0000-000000000000:<refresh token>` ->
 *   `{ access_token }` signed by the test's `signAccessToken`.
 * Refusals are ACR's `{ errors: [{ code: "UNAUTHORIZED", message }] }` with 401.
 */
export async function startFakeAcrAuthServer(options: StartFakeAcrAuthServerOptions): Promise<FakeAcrAuthServer> {
  const exchanges: FakeAcrAuthServer["exchanges"] = [];
  const accessTokens: FakeAcrAuthServer["accessTokens"] = [];
  const refusals: string[] = [];
  const hmacKey = randomBytes(32);
  const accepted = new Set(options.acceptedScopes ?? defaultScopes);
  let upstream: string | undefined;

  const refuse = (res: ServerResponse, where: string, message: string): void => {
    refusals.push(`${where}: ${message}`);
    sendJson(res, 401, { errors: [{ code: "UNAUTHORIZED", message }] });
  };
  const signRefreshToken = (claims: Record<string, unknown>): string => {
    const head = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");
    const body = Buffer.from(JSON.stringify(claims)).toString("base64url");
    return `${head}.${body}.${createHmac("sha256", hmacKey).update(`${head}.${body}`).digest("base64url")}`;
  };
  const openRefreshToken = (token: string): { clientId: string; service: string } | undefined => {
    const [head = "", body = "", signature = ""] = token.split(".");
    const expected = createHmac("sha256", hmacKey).update(`${head}.${body}`).digest();
    const given = Buffer.from(signature, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as { sub: string; aud: string; exp: number };
    return claims.exp * 1000 > Date.now() ? { clientId: claims.sub, service: claims.aud } : undefined;
  };

  const issueAccessToken = async (res: ServerResponse, refreshToken: string, service: string, scope: string): Promise<void> => {
    const opened = openRefreshToken(refreshToken);
    if (opened === undefined) return refuse(res, "token", "the refresh token is invalid or expired");
    if (opened.service !== service) return refuse(res, "token", `the refresh token is for ${opened.service}, not ${service}`);
    const access = scope
      .split(" ")
      .filter((s) => s !== "")
      .map((s) => {
        const [type = "", ...middle] = s.split(":");
        const actions = (middle.pop() ?? "").split(",").filter((a) => a !== "");
        return { type, name: middle.join(":"), actions };
      });
    const accessToken = await options.signAccessToken({ sub: opened.clientId, aud: service, access, expiresIn: options.accessTokenTtlSeconds ?? 300 });
    accessTokens.push({ clientId: opened.clientId, scope });
    sendJson(res, 200, { access_token: accessToken, token: accessToken });
  };

  const http = await startLocalHttp(async (req, res, body) => {
    const url = new URL(req.url ?? "/", "http://x");
    const form = new URLSearchParams(body.toString("utf8"));
    if (url.pathname === "/oauth2/exchange" && req.method === "POST") {
      if (form.get("grant_type") !== "access_token") return refuse(res, "exchange", "grant_type must be access_token");
      const service = form.get("service") ?? "";
      const aad = options.introspect(form.get("access_token") ?? "");
      if (aad === undefined) return refuse(res, "exchange", "the access token is invalid or expired");
      if (!accepted.has(aad.scope)) return refuse(res, "exchange", `the access token's audience (${aad.scope}) is not accepted`);
      if (form.get("tenant") !== aad.tenantId) return refuse(res, "exchange", "the tenant does not match the access token");
      const ttlOption = options.refreshTokenTtlSeconds ?? 3 * 3600;
      const ttl = typeof ttlOption === "number" ? ttlOption : ttlOption({ clientId: aad.clientId, tenantId: aad.tenantId });
      const expiresAt = Date.now() + ttl * 1000;
      const refreshToken = signRefreshToken({ sub: aad.clientId, tid: aad.tenantId, aud: service, exp: Math.floor(expiresAt / 1000), jti: randomBytes(8).toString("hex") });
      exchanges.push({ clientId: aad.clientId, tenantId: aad.tenantId, service, refreshToken, expiresAt });
      sendJson(res, 200, { refresh_token: refreshToken });
      return;
    }
    if (url.pathname === "/oauth2/token" && req.method === "POST") {
      if (form.get("grant_type") !== "refresh_token") return refuse(res, "token", "grant_type must be refresh_token");
      return await issueAccessToken(res, form.get("refresh_token") ?? "", form.get("service") ?? "", form.get("scope") ?? "");
    }
    if (url.pathname === "/oauth2/token" && req.method === "GET") {
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      const decoded = basic === undefined ? "" : Buffer.from(basic, "base64").toString("utf8");
      const password = decoded.slice(decoded.indexOf(":") + 1);
      return await issueAccessToken(res, password, url.searchParams.get("service") ?? "", url.searchParams.getAll("scope").join(" "));
    }
    if (upstream !== undefined) return await forward(req, res, body, upstream);
    sendJson(res, 404, { errors: [{ code: "NOT_FOUND", message: "not found" }] });
  });
  return {
    url: http.origin,
    exchanges,
    accessTokens,
    refusals,
    proxyTo: (target) => void (upstream = target),
    close: () => http.close(),
  };
}

function forward(req: IncomingMessage, res: ServerResponse, body: Buffer, upstream: string): Promise<void> {
  const target = new URL(req.url ?? "/", upstream);
  return new Promise((resolve, reject) => {
    // X-Forwarded-Host, as a reverse proxy sends: the registry's upload Locations then name this
    // host, so that clients keep talking to (and signing in at) the one host ACR serves.
    const headers = { ...req.headers, host: target.host, "x-forwarded-host": req.headers.host ?? target.host };
    const outgoing = httpRequest(target, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on("end", resolve);
      answer.on("error", reject);
    });
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}
