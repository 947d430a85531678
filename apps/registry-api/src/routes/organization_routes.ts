import { Router } from "express";
import { z } from "zod";
import { UnauthorizedError } from "@charthouse/errors";
import type { ApiContext } from "../api_context.ts";
import { authOf, requireScope } from "../auth.ts";
import { defaultOrganizationName } from "../bootstrap.ts";
import { insertOrganizationWithToken } from "../organization_writes.ts";
import { getOrganization } from "../queries/organization_queries.ts";
import { getToken } from "../queries/token_queries.ts";
import { parseBody } from "../request_body.ts";

const nameSchema = z.string({ error: "is required" }).trim().min(1, "must not be empty").max(100, "must be at most 100 characters");
const createSchema = z.object({ name: nameSchema, token_name: nameSchema.optional() });

/**
 * /organizations: the caller's own (any token), and creating one with its first admin token,
 * which only the operator may do: an `admin` token of the default organisation.
 */
export function organizationRoutes(context: ApiContext): Router {
  const { db } = context;
  const router = Router();

  router.get("/organizations/current", async (_req, res) => {
    res.json(await getOrganization(db, authOf(res).organizationId));
  });

  router.post("/organizations", requireScope("admin"), async (req, res) => {
    const caller = authOf(res);
    // Only the operator's organisation may make tenants; to any other it is a scope it lacks.
    if ((await getOrganization(db, caller.organizationId)).name !== defaultOrganizationName) {
      throw new UnauthorizedError(`Only an admin token of the "${defaultOrganizationName}" organisation can create organisations`, {
        code: "forbidden",
        solution: "Ask the operator of this Charthouse to create the organisation",
      });
    }
    const body = parseBody(createSchema, req.body);
    const created = await insertOrganizationWithToken(db, { name: body.name, tokenName: body.token_name ?? "admin" });
    const organization = await getOrganization(db, created.organizationId);
    const token = await getToken(db, created.organizationId, created.tokenId);
    // The token value is in this response only: keep it out of caches.
    res.status(201).set("Cache-Control", "no-store").json({ organization, token: { ...token, token: created.tokenValue } });
  });

  return router;
}
