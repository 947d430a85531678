import { createHash } from "node:crypto";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { DataSource } from "@charthouse/db";
import { UnauthorizedError } from "@charthouse/errors";
import type { Logger } from "@charthouse/logging";
import { queryRows } from "@charthouse/db";

/** Who a request is: the token's organisation, id and scopes. */
export interface RequestAuth {
  organizationId: string;
  tokenId: string;
  scopes: readonly string[];
}

/** A scope an API token may hold. */
export type TokenScope = "read" | "write" | "admin";

/** The stored form of a token value: sha256, hex. */
export function hashToken(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

interface TokenRow {
  id: string;
  organization_id: string;
  scopes: string[];
  stale: boolean;
}

/**
 * Express middleware that admits requests with a valid `Authorization: Bearer <token>` and
 * records who they are. last_used_at is written at most once a minute per token.
 */
export function authenticate(db: DataSource, log: Logger): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.get("authorization");
    const match = header === undefined ? null : /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw new UnauthorizedError("Missing bearer token: send Authorization: Bearer <token>");
    const rows = await queryRows<TokenRow>(
      db,
      `SELECT id, organization_id, scopes,
              (last_used_at IS NULL OR last_used_at < now() - interval '1 minute') AS stale
         FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`,
      [hashToken(match[1])],
    );
    const token = rows[0];
    if (!token) throw new UnauthorizedError("The bearer token is unknown or revoked");
    if (token.stale) {
      queryRows(
        db,
        `UPDATE api_tokens SET last_used_at = now()
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
        [token.id],
      ).catch((err: unknown) => log.warn({ err, tokenId: token.id }, "Cannot record token use"));
    }
    const auth: RequestAuth = { organizationId: token.organization_id, tokenId: token.id, scopes: token.scopes };
    res.locals["auth"] = auth;
    next();
  };
}

/**
 * Middleware that needs a scope: reads need `read`, changes need `write` (`admin` holds both).
 * A token without it gets 403 code forbidden.
 */
export function requireScopeFor(): RequestHandler {
  return (req, res, next) => {
    const needed: TokenScope = req.method === "GET" || req.method === "HEAD" ? "read" : "write";
    const scopes = authOf(res).scopes;
    if (!scopes.includes(needed) && !scopes.includes("admin")) {
      throw new UnauthorizedError(`This token lacks the "${needed}" scope needed for ${req.method} requests`, {
        code: "forbidden",
      });
    }
    next();
  };
}

/** The authentication of a request that passed `authenticate`. */
export function authOf(res: Response): RequestAuth {
  const auth = res.locals["auth"] as RequestAuth | undefined;
  if (!auth) throw new UnauthorizedError("The request is not authenticated");
  return auth;
}
