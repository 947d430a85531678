import { Router } from "express";
import { z } from "zod";
import { InputError, UnauthorizedError } from "@charthouse/errors";
import type { ApiContext } from "../api_context.ts";
import { authOf, requireScope, type RequestAuth } from "../auth.ts";
import { sharedTokenAdmission } from "../cached_token_admission.ts";
import { parsePageRequest } from "../pagination.ts";
import { pathId } from "../path_ids.ts";
import { parseBody } from "../request_body.ts";
import { getToken, listTokens } from "../queries/token_queries.ts";
import { holdsScope, tokenScopes, type TokenScope } from "../token_scopes.ts";
import { insertToken } from "../token_writes.ts";

const createSchema = z.object({
  name: z.string({ error: "is required" }).trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
  scopes: z
    .array(z.enum(tokenScopes, { error: `must each be one of ${tokenScopes.join(", ")}` }), { error: "must be a list of scopes" })
    .min(1, "must name at least one scope"),
  expires_at: z.iso.datetime({ offset: true, error: "must be an RFC 3339 time, e.g. 2030-01-01T00:00:00Z" }).nullable().optional(),
});

/** /tokens: create (the value shown once), list, get, revoke. Every route needs `admin`. */
export function tokenRoutes(context: ApiContext): Router {
  const { db } = context;
  const router = Router();
  const admin = requireScope("admin");

  router.get("/tokens", admin, async (req, res) => {
    res.json(await listTokens(db, authOf(res).organizationId, parsePageRequest(req.query)));
  });

  router.get("/tokens/:id", admin, async (req, res) => {
    res.json(await getToken(db, authOf(res).organizationId, pathId(idParam(req.params), "token")));
  });

  router.post("/tokens", admin, async (req, res) => {
    const creator = authOf(res);
    const body = parseBody(createSchema, req.body);
    const scopes = [...new Set(body.scopes)];
    assertGrantable(creator, scopes);
    const expiresAt = body.expires_at == null ? null : new Date(body.expires_at);
    assertExpiry(creator, expiresAt);
    const created = await insertToken(db, creator.organizationId, { name: body.name, scopes, expiresAt });
    const token = await getToken(db, creator.organizationId, created.id);
    // The value is in this response only: keep it out of caches.
    res
      .status(201)
      .set("Cache-Control", "no-store")
      .location(`${req.baseUrl}/tokens/${created.id}`)
      .json({ ...token, token: created.value });
  });

  router.delete("/tokens/:id", admin, async (req, res) => {
    const id = pathId(idParam(req.params), "token");
    await db.tokens.revoke(authOf(res).organizationId, id);
    // Revoked here, refused here at once: the admission forgets it rather than waiting out its cache.
    sharedTokenAdmission(db.tokens, context.log).forget(id);
    res.status(204).end();
  });

  return router;
}

/** A token cannot grant what its creator cannot do. */
function assertGrantable(creator: RequestAuth, scopes: readonly TokenScope[]): void {
  const beyond = scopes.filter((scope) => !holdsScope(creator.scopes, scope));
  if (beyond.length > 0) {
    throw new UnauthorizedError(`This token cannot grant the scopes it lacks: ${beyond.join(", ")}`, {
      code: "forbidden",
      solution: "Create the token with a token that holds those scopes",
    });
  }
}

/** A new token expires in the future, and not after the token that creates it. */
function assertExpiry(creator: RequestAuth, expiresAt: Date | null): void {
  if (expiresAt !== null && expiresAt.getTime() <= Date.now()) {
    throw new InputError("expires_at is in the past", { fields: [{ field: "expires_at", message: "must be in the future" }] });
  }
  if (creator.expiresAt !== null && (expiresAt === null || expiresAt > creator.expiresAt)) {
    const limit = creator.expiresAt.toISOString();
    throw new InputError(`A token made by a token that expires at ${limit} cannot outlive it`, {
      fields: [{ field: "expires_at", message: `must be at most ${limit}, when the creating token expires` }],
    });
  }
}

// A route with a middleware before its handler loses express's typing of its path parameters.
function idParam(params: Record<string, string | string[] | undefined>): string | undefined {
  const id = params["id"];
  return typeof id === "string" ? id : undefined;
}
