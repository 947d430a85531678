import { createHash } from "node:crypto";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { ApiTokenRepository } from "@charthouse/db";
import { UnauthorizedError } from "@charthouse/errors";
import type { Logger } from "@charthouse/logging";
import type { CachedTokenAdmission } from "./cached_token_admission.ts";
import { holdsScope, type TokenScope } from "./token_scopes.ts";

/** Who a request is: the token's organisation, id, scopes and expiry. */
export interface RequestAuth {
  organizationId: string;
  tokenId: string;
  scopes: readonly string[];
  /** When the token stops working, or null for never. */
  expiresAt: Date | null;
}

/** The stored form of a token value: sha256, hex. */
export function hashToken(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

const apiTokenSolution = "Send a valid API token: Authorization: Bearer <token> (POST /api/v1/tokens makes one)";

/**
 * Express middleware that admits requests with a valid `Authorization: Bearer <token>` (known,
 * not revoked, not expired) and records who they are. Admitted tokens are remembered for a few
 * seconds (see CachedTokenAdmission): a busy client's every request need not ask Postgres.
 */
export function authenticate(admission: Pick<CachedTokenAdmission, "admit">): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.get("authorization");
    const match = header === undefined ? null : /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw new UnauthorizedError("Missing bearer token: send Authorization: Bearer <token>", { solution: apiTokenSolution });
    res.locals["auth"] = await admission.admit(match[1], apiTokenSolution);
    next();
  };
}

/**
 * Who the API token `value` is, if it is known, not revoked and not expired. last_used_at is
 * written at most once a minute per token, so a busy client does not turn every read into a write.
 */
export async function admitToken(
  tokens: Pick<ApiTokenRepository, "findUsable" | "touchLastUsed">,
  log: Logger,
  value: string,
  solution: string,
): Promise<RequestAuth> {
  const token = await tokens.findUsable(hashToken(value));
  if (!token) throw new UnauthorizedError("The token is unknown, revoked or expired", { solution });
  if (token.stale) {
    tokens.touchLastUsed(token.id).catch((err: unknown) => log.warn({ err, tokenId: token.id }, "Cannot record token use"));
  }
  return { organizationId: token.organization_id, tokenId: token.id, scopes: token.scopes, expiresAt: token.expires_at };
}

/**
 * Middleware every authenticated route passes: reads (GET, HEAD, and the POSTs whose path is in
 * `readingPosts`, which change nothing) need `read`, changes need `write` (see token_scopes.ts for
 * what implies what). A token without it gets 403 forbidden.
 */
export function requireScopeFor(readingPosts: readonly RegExp[] = []): RequestHandler {
  return (req, res, next) => {
    const reads = req.method === "GET" || req.method === "HEAD" || (req.method === "POST" && readingPosts.some((path) => path.test(req.path)));
    assertScope(res, reads ? "read" : "write", `${req.method} requests`);
    next();
  };
}

/** Middleware of one route that needs more than its method does (the token routes need `admin`). */
export function requireScope(needed: TokenScope): RequestHandler {
  return (req, res, next) => {
    assertScope(res, needed, `${req.method} ${req.baseUrl}${req.path}`);
    next();
  };
}

function assertScope(res: Response, needed: TokenScope, what: string): void {
  if (!holdsScope(authOf(res).scopes, needed)) {
    throw new UnauthorizedError(`This token lacks the "${needed}" scope needed for ${what}`, {
      code: "forbidden",
      solution: `Use a token with the "${needed}" scope`,
    });
  }
}

/** The authentication of a request that passed `authenticate`. */
export function authOf(res: Response): RequestAuth {
  const auth = res.locals["auth"] as RequestAuth | undefined;
  if (!auth) throw new UnauthorizedError("The request is not authenticated");
  return auth;
}
