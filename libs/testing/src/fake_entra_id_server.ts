import { randomBytes, randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { sendJson, startLocalHttp } from "./local_http.ts";

/** A service principal the fake Entra ID knows. */
export interface FakeServicePrincipal {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/** Options of {@link startFakeEntraIdServer}. */
export interface StartFakeEntraIdServerOptions {
  /** The HTTPS key and certificate (MSAL refuses an http authority); see selfSignedCertificate. */
  tls: { key: string; cert: string };
  principals: readonly FakeServicePrincipal[];
  /** `expires_in` of each access token, in seconds. Default 3599. */
  expiresInSeconds?: number;
}

/** An access token the fake Entra ID issued. */
export interface EntraIdToken {
  tenantId: string;
  clientId: string;
  scope: string;
  expiresAt: number;
}

/** A local Microsoft Entra ID (v2.0 endpoints) for the client-credentials flow. */
export interface FakeEntraIdServer {
  /** The authority host to give @azure/identity (`https://127.0.0.1:PORT`). */
  authorityHost: string;
  /** Every token issued, oldest first. */
  exchanges: (EntraIdToken & { accessToken: string })[];
  /** The OAuth2 `error` of every refusal. */
  refusals: string[];
  /** What an access token it issued stands for (undefined: not one of its tokens, or expired). */
  introspect(accessToken: string): EntraIdToken | undefined;
  close(): Promise<void>;
}

/**
 * Starts a fake of the Entra ID endpoints MSAL (under @azure/identity's ClientSecretCredential)
 * calls when instance discovery is off: `GET /{tenant}/v2.0/.well-known/openid-configuration` and
 * `POST /{tenant}/oauth2/v2.0/token` with `grant_type=client_credentials`. Refusals carry Entra's
 * AADSTS codes: unknown tenant 400 `invalid_request` (AADSTS90002), unknown client 400
 * `unauthorized_client` (AADSTS700016), wrong secret 401 `invalid_client` (AADSTS7000215).
 */
export async function startFakeEntraIdServer(options: StartFakeEntraIdServerOptions): Promise<FakeEntraIdServer> {
  const exchanges: FakeEntraIdServer["exchanges"] = [];
  const refusals: string[] = [];
  const tokens = new Map<string, EntraIdToken>();
  const tenants = new Set(options.principals.map((p) => p.tenantId));
  let origin = "";
  const http = await startLocalHttp((req, res, body) => {
    const url = new URL(req.url ?? "/", "https://x");
    const [tenant = "", ...rest] = url.pathname.split("/").filter((part) => part !== "");
    const path = rest.join("/");
    const refuse = (status: number, error: string, code: number, text: string): void => {
      refusals.push(error);
      entraError(res, status, error, code, text);
    };
    if (!tenants.has(tenant)) {
      refuse(400, "invalid_request", 90002, `Tenant '${tenant.slice(0, 64)}' not found.`);
      return;
    }
    if (req.method === "GET" && path === "v2.0/.well-known/openid-configuration") {
      const base = `${origin}/${tenant}`;
      sendJson(res, 200, {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_modes_supported: ["query", "fragment", "form_post"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
        response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
        scopes_supported: ["openid", "profile", "email", "offline_access"],
        issuer: `${base}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${origin}/oidc/userinfo`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        claims_supported: ["sub", "iss", "aud", "exp", "iat"],
        kerberos_endpoint: `${base}/kerberos`,
        tenant_region_scope: "EU",
        cloud_instance_name: "microsoftonline.com",
        cloud_graph_host_name: "graph.windows.net",
        msgraph_host: "graph.microsoft.com",
        rbac_url: "https://pas.windows.net",
      });
      return;
    }
    if (req.method === "POST" && path === "oauth2/v2.0/token") {
      const form = new URLSearchParams(body.toString("utf8"));
      if (form.get("grant_type") !== "client_credentials") {
        refuse(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.");
        return;
      }
      const clientId = form.get("client_id") ?? "";
      const principal = options.principals.find((p) => p.tenantId === tenant && p.clientId === clientId);
      if (principal === undefined) {
        refuse(400, "unauthorized_client", 700016, `Application with identifier '${clientId.slice(0, 64)}' was not found in the directory '${tenant}'.`);
        return;
      }
      if (form.get("client_secret") !== principal.clientSecret) {
        refuse(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.");
        return;
      }
      const scope = form.get("scope") ?? "";
      if (!scope.split(" ").some((s) => s.endsWith("/.default"))) {
        refuse(400, "invalid_scope", 1002012, "The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.");
        return;
      }
      const expiresIn = options.expiresInSeconds ?? 3599;
      const accessToken = `eyJ0eXAiOiJKV1QifQ.${randomBytes(32).toString("base64url")}.fake`;
      const token: EntraIdToken = { tenantId: tenant, clientId, scope, expiresAt: Date.now() + expiresIn * 1000 };
      tokens.set(accessToken, token);
      exchanges.push({ ...token, accessToken });
      sendJson(res, 200, { token_type: "Bearer", expires_in: expiresIn, ext_expires_in: expiresIn, access_token: accessToken });
      return;
    }
    sendJson(res, 404, { error: "not_found" });
  }, { tls: options.tls });
  origin = http.origin;
  return {
    authorityHost: origin,
    exchanges,
    refusals,
    introspect(accessToken) {
      const token = tokens.get(accessToken);
      return token !== undefined && token.expiresAt > Date.now() ? token : undefined;
    },
    close: () => http.close(),
  };
}

function entraError(res: ServerResponse, status: number, error: string, code: number, text: string): void {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  sendJson(res, status, {
    error,
    error_description: `AADSTS${code}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${new Date().toISOString()}`,
    error_codes: [code],
    timestamp: new Date().toISOString(),
    trace_id: traceId,
    correlation_id: correlationId,
  });
}
