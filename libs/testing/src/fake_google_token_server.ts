import { createPublicKey, randomBytes, verify, type KeyObject } from "node:crypto";
import { sendJson, startLocalHttp } from "./local_http.ts";

/** A service account the fake token endpoint knows: its e-mail and the public half of its key. */
export interface FakeServiceAccount {
  clientEmail: string;
  /** PEM or KeyObject of the RSA public key (the test generated the pair). */
  publicKey: string | KeyObject;
}

/** Options of {@link startFakeGoogleTokenServer}. */
export interface StartFakeGoogleTokenServerOptions {
  serviceAccounts: readonly FakeServiceAccount[];
  /** `expires_in` of each access token, in seconds. Default 3600, as Google. */
  expiresInSeconds?: number;
}

/** An access token the fake endpoint issued. */
export interface FakeGoogleExchange {
  clientEmail: string;
  scope: string;
  accessToken: string;
  /** When the access token expires (ms since the epoch), after `expires_in`. */
  expiresAt: number;
}

/** A local Google OAuth2 token endpoint for the service-account JWT-bearer grant. */
export interface FakeGoogleTokenServer {
  /** The URL to put in a key file's `token_uri` (`http://127.0.0.1:PORT/token`). */
  tokenUri: string;
  exchanges: FakeGoogleExchange[];
  /** The OAuth2 `error` of every refusal. */
  refusals: string[];
  close(): Promise<void>;
}

const googleTokenUrl = "https://oauth2.googleapis.com/token";
const jwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/**
 * Starts a fake of Google's token endpoint: POST /token with `grant_type=jwt-bearer` and an
 * `assertion` that must be an RS256 JWT signed by a known service account's key, with that
 * account as `iss`, Google's token URL (or this endpoint) as `aud`, a `scope` and a current
 * `iat`/`exp`. Refusals are OAuth2 errors as Google sends them (400 `invalid_grant`).
 */
export async function startFakeGoogleTokenServer(options: StartFakeGoogleTokenServerOptions): Promise<FakeGoogleTokenServer> {
  const exchanges: FakeGoogleExchange[] = [];
  const refusals: string[] = [];
  const accounts = new Map(options.serviceAccounts.map((a) => [a.clientEmail, typeof a.publicKey === "string" ? createPublicKey(a.publicKey) : a.publicKey]));
  let tokenUri = "";
  const http = await startLocalHttp((req, res, body) => {
    const refuse = (error: string, description: string, status = 400): void => {
      refusals.push(error);
      sendJson(res, status, { error, error_description: description });
    };
    if (req.method !== "POST" || new URL(req.url ?? "/", "http://x").pathname !== "/token") {
      sendJson(res, 404, { error: "not_found" });
      return;
    }
    const form = new URLSearchParams(body.toString("utf8"));
    if (form.get("grant_type") !== jwtBearer) return refuse("unsupported_grant_type", "Invalid grant_type.");
    const parts = (form.get("assertion") ?? "").split(".");
    if (parts.length !== 3) return refuse("invalid_request", "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.");
    const [headerPart = "", payloadPart = "", signaturePart = ""] = parts;
    const header = decodeJson(headerPart);
    const claims = decodeJson(payloadPart);
    if (header?.["alg"] !== "RS256" || claims === undefined) return refuse("invalid_grant", "Invalid JWT Signature.");
    const publicKey = accounts.get(String(claims["iss"]));
    if (publicKey === undefined) return refuse("invalid_grant", "Invalid grant: account not found");
    const signed = verify("RSA-SHA256", Buffer.from(`${headerPart}.${payloadPart}`), publicKey, Buffer.from(signaturePart, "base64url"));
    if (!signed) return refuse("invalid_grant", "Invalid JWT Signature.");
    if (claims["aud"] !== googleTokenUrl && claims["aud"] !== tokenUri) return refuse("invalid_grant", "Invalid JWT: Failed audience check.");
    const now = Date.now() / 1000;
    const iat = Number(claims["iat"]);
    const exp = Number(claims["exp"]);
    if (!(iat <= now + 300 && exp > now && exp - iat <= 3600)) {
      return refuse("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.");
    }
    if (typeof claims["scope"] !== "string" || claims["scope"] === "") return refuse("invalid_scope", "Empty or missing scope not allowed.");
    const accessToken = `ya29.fake-${randomBytes(24).toString("base64url")}`;
    const expiresIn = options.expiresInSeconds ?? 3600;
    exchanges.push({ clientEmail: String(claims["iss"]), scope: claims["scope"], accessToken, expiresAt: Date.now() + expiresIn * 1000 });
    sendJson(res, 200, { access_token: accessToken, expires_in: expiresIn, token_type: "Bearer" });
  });
  tokenUri = `${http.origin}/token`;
  return { tokenUri, exchanges, refusals, close: () => http.close() };
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
