import { createSign, randomUUID, X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { runCommand } from "./run_command.ts";
import { makeTempDir, removeTempDir } from "./temp_dir.ts";

/** What the token server does, changeable while it runs (see {@link TokenServer.configure}). */
export interface TokenServerBehaviour {
  /** Token lifetime in seconds: `expires_in` and the `exp` claim. Default 300. */
  lifetimeSeconds: number;
  /**
   * Issue tokens whose `exp` lies in the past (beyond distribution's 60 s leeway) while
   * `expires_in` still promises `lifetimeSeconds`: the registry refuses them as expired.
   */
  expiredTokens: boolean;
  /**
   * The `exp` claim relative to now, in seconds, when it should differ from `lifetimeSeconds`:
   * `-58` makes tokens the registry accepts for one or two more seconds (it allows 60 s of
   * leeway) while `expires_in` tells the client they last `lifetimeSeconds`.
   */
  expSeconds: number | undefined;
  /** Issue tokens without the requested access, so the registry answers `insufficient_scope`. */
  withoutAccess: boolean;
  /** Answer GET with 405, as token endpoints that take only the OAuth2 POST form do. */
  postOnly: boolean;
}

/** Options of {@link startTokenServer}. */
export interface StartTokenServerOptions extends Partial<TokenServerBehaviour> {
  /** Users and their passwords: they may pull and push every repository and list the catalog. */
  users?: Readonly<Record<string, string>>;
  /**
   * Decides the sign-in of a user not in `users`, for passwords issued elsewhere while the
   * server runs (a cloud fake's short-lived logins: ECR's `AWS`, Google's `oauth2accesstoken`).
   * A user it accepts has the same access as those of `users`.
   */
  verifyPassword?: (username: string, password: string) => boolean;
  /** Repositories anonymous users may pull (exact names). */
  publicRepositories?: readonly string[];
  /** Refresh tokens the POST form accepts, and the user each one signs in. */
  refreshTokens?: Readonly<Record<string, string>>;
  /** The `service` of the challenge and the token's audience. Default "charthouse-test-registry". */
  service?: string;
  /** The issuer the registry trusts. Default "charthouse-test-token-server". */
  issuer?: string;
}

/** One request the token server received. */
export interface TokenRequestRecord {
  method: string;
  /** How the client signed in: `anonymous`, `basic` (GET), `password` or `refresh_token` (POST form). */
  grant: "anonymous" | "basic" | "password" | "refresh_token" | "unknown";
  /** The user signed in, when the sign-in succeeded. */
  user: string | null;
  /** The requested scopes. */
  scopes: string[];
  /** The status answered. */
  status: number;
}

/** One `access` entry of a registry token. */
export interface TokenAccess {
  type: string;
  name: string;
  actions: string[];
}

/** A running token server for docker-registry's `auth.token` (the tests' own, RS256 with `x5c`). */
export interface TokenServer {
  /** The token endpoint, `http://127.0.0.1:PORT/token`. */
  realm: string;
  service: string;
  issuer: string;
  /** The PEM certificate docker-registry's `rootcertbundle` points at. */
  rootCertBundlePath: string;
  /** Every request received, in order. */
  requests: TokenRequestRecord[];
  /** Changes the behaviour for later requests. */
  configure(behaviour: Partial<TokenServerBehaviour>): void;
  /** Registers a refresh token for the OAuth2 POST form (`grant_type=refresh_token`). */
  addRefreshToken(refreshToken: string, user: string): void;
  /** Signs a token the registry accepts; claims not given get defaults (iss, aud, iat, nbf, exp, jti, access: []). */
  signToken(claims: { sub?: string; access?: TokenAccess[]; exp?: number; [claim: string]: unknown }): string;
  stop(): Promise<void>;
}

/**
 * Starts a token server for docker-registry's token auth: an RSA key and a self-signed
 * certificate made with openssl, RS256 JWTs with an `x5c` header (what distribution 2.8
 * verifies against `rootcertbundle`), the GET flow with optional Basic and the OAuth2 POST form.
 */
export async function startTokenServer(options: StartTokenServerOptions = {}): Promise<TokenServer> {
  const dir = await makeTempDir("token-server");
  try {
    const keyPath = join(dir, "key.pem");
    const certPath = join(dir, "cert.pem");
    await runCommand("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
      "-subj", "/CN=charthouse-test-token-server", "-keyout", keyPath, "-out", certPath,
    ]);
    const privateKey = await readFile(keyPath, "utf8");
    const certificate = new X509Certificate(await readFile(certPath));
    const x5c = [certificate.raw.toString("base64")];
    const service = options.service ?? "charthouse-test-registry";
    const issuer = options.issuer ?? "charthouse-test-token-server";
    const users = options.users ?? {};
    const passwordAccepted = (username: string, password: string | null): boolean => {
      if (password === null) return false;
      if (Object.hasOwn(users, username)) return users[username] === password;
      return options.verifyPassword?.(username, password) ?? false;
    };
    const publicRepositories = new Set(options.publicRepositories ?? []);
    const refreshTokens = new Map(Object.entries(options.refreshTokens ?? {}));
    const behaviour: TokenServerBehaviour = {
      lifetimeSeconds: options.lifetimeSeconds ?? 300,
      expiredTokens: options.expiredTokens ?? false,
      expSeconds: options.expSeconds,
      withoutAccess: options.withoutAccess ?? false,
      postOnly: options.postOnly ?? false,
    };
    const requests: TokenRequestRecord[] = [];

    const signToken: TokenServer["signToken"] = (claims) => {
      const now = Math.floor(Date.now() / 1000);
      const payload = {
        iss: issuer,
        aud: service,
        iat: now,
        nbf: now - 5,
        exp: now + behaviour.lifetimeSeconds,
        jti: randomUUID(),
        sub: "",
        access: [],
        ...claims,
      };
      const header = { typ: "JWT", alg: "RS256", x5c };
      const signingInput = `${base64Url(JSON.stringify(header))}.${base64Url(JSON.stringify(payload))}`;
      const signature = createSign("RSA-SHA256").update(signingInput).sign(privateKey);
      return `${signingInput}.${signature.toString("base64url")}`;
    };

    const grantedAccess = (user: string | null, scopes: readonly string[]): TokenAccess[] => {
      if (behaviour.withoutAccess) return [];
      const access: TokenAccess[] = [];
      for (const scope of scopes) {
        const parsed = parseScope(scope);
        if (parsed === null) continue;
        if (user !== null) {
          access.push(parsed);
        } else if (parsed.type === "repository" && publicRepositories.has(parsed.name) && parsed.actions.includes("pull")) {
          access.push({ ...parsed, actions: ["pull"] });
        }
      }
      return access;
    };

    const issue = (res: ServerResponse, user: string | null, scopes: string[], oauth: boolean): void => {
      const now = Math.floor(Date.now() / 1000);
      const exp = behaviour.expiredTokens ? now - 600 : now + (behaviour.expSeconds ?? behaviour.lifetimeSeconds);
      const token = signToken({ sub: user ?? "", access: grantedAccess(user, scopes), exp });
      const body = oauth
        ? { access_token: token, expires_in: behaviour.lifetimeSeconds, issued_at: new Date(now * 1000).toISOString(), scope: scopes.join(" ") }
        : { token, access_token: token, expires_in: behaviour.lifetimeSeconds, issued_at: new Date(now * 1000).toISOString() };
      sendJson(res, 200, body);
    };

    const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const url = new URL(req.url ?? "/", "http://token.invalid");
      const method = req.method ?? "GET";
      const record: TokenRequestRecord = { method, grant: "unknown", user: null, scopes: [], status: 0 };
      requests.push(record);
      const answer = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        record.status = status;
        sendJson(res, status, body, headers);
      };
      if (url.pathname !== "/token") return answer(404, { errors: [{ code: "NOT_FOUND", message: "no such endpoint" }] });

      if (method === "GET") {
        record.scopes = url.searchParams.getAll("scope").flatMap((scope) => scope.split(" ")).filter((s) => s !== "");
        const basic = parseBasic(req.headers.authorization);
        record.grant = basic === null ? "anonymous" : "basic";
        if (behaviour.postOnly) return answer(405, { errors: [{ code: "UNSUPPORTED", message: "use POST" }] });
        if (url.searchParams.get("service") !== service) return answer(400, { errors: [{ code: "DENIED", message: "unknown service" }] });
        if (basic === null) {
          record.status = 200;
          return issue(res, null, record.scopes, false);
        }
        if (!passwordAccepted(basic.username, basic.password)) {
          return answer(401, { errors: [{ code: "UNAUTHORIZED", message: "incorrect username or password" }] }, {
            "www-authenticate": 'Basic realm="charthouse-test-token-server"',
          });
        }
        record.user = basic.username;
        record.status = 200;
        return issue(res, basic.username, record.scopes, false);
      }

      if (method === "POST") {
        const form = new URLSearchParams(await readText(req));
        record.scopes = form.getAll("scope").flatMap((scope) => scope.split(" ")).filter((s) => s !== "");
        if (form.get("service") !== service) return answer(400, { error: "invalid_request", error_description: "unknown service" });
        const grantType = form.get("grant_type");
        let user: string | undefined;
        if (grantType === "password") {
          record.grant = "password";
          const username = form.get("username") ?? "";
          if (passwordAccepted(username, form.get("password"))) user = username;
        } else if (grantType === "refresh_token") {
          record.grant = "refresh_token";
          user = refreshTokens.get(form.get("refresh_token") ?? "");
        } else {
          return answer(400, { error: "unsupported_grant_type" });
        }
        if (user === undefined) return answer(401, { error: "invalid_grant", error_description: "the sign-in was refused" });
        record.user = user;
        record.status = 200;
        return issue(res, user, record.scopes, true);
      }
      return answer(405, { errors: [{ code: "UNSUPPORTED", message: `${method} is not supported` }] });
    };

    const server = createServer((req, res) => {
      handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { errors: [{ code: "UNKNOWN", message: String(err) }] });
        else res.destroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;

    return {
      realm: `http://127.0.0.1:${port}/token`,
      service,
      issuer,
      rootCertBundlePath: certPath,
      requests,
      configure(change) {
        Object.assign(behaviour, change);
      },
      addRefreshToken(refreshToken, user) {
        refreshTokens.set(refreshToken, user);
      },
      signToken,
      async stop() {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await removeTempDir(dir);
      },
    };
  } catch (err) {
    await removeTempDir(dir);
    throw err;
  }
}

/** `repository:org/chart:pull,push` -> its parts; null for anything else. */
function parseScope(scope: string): TokenAccess | null {
  const first = scope.indexOf(":");
  const last = scope.lastIndexOf(":");
  if (first <= 0 || last <= first) return null;
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(",").filter((a) => a !== "") };
}

function parseBasic(header: string | undefined): { username: string; password: string } | null {
  if (header === undefined || !/^basic /i.test(header)) return null;
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? null : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function base64Url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
