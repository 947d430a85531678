import type { RequestHandler } from "express";
import { UnauthorizedError } from "@charthouse/errors";
import type { ApiRepositories } from "./api_repositories.ts";
import { authOf } from "./auth.ts";
import { defaultOrganizationName } from "./bootstrap.ts";
import { getOrganization } from "./queries/organization_queries.ts";

/**
 * Middleware of the operator's routes (after `requireScope("admin")`): only an admin token of the
 * default organisation passes; to any other organisation it is a scope it lacks, a 403 forbidden
 * like POST /organizations answers, never a 404 that would hint at another tenant's objects.
 */
export function requireOperator(db: ApiRepositories, what: string): RequestHandler {
  return async (_req, res, next) => {
    if ((await getOrganization(db, authOf(res).organizationId)).name !== defaultOrganizationName) {
      throw new UnauthorizedError(`Only an admin token of the "${defaultOrganizationName}" organisation can ${what}`, {
        code: "forbidden",
        solution: "Ask the operator of this Charthouse",
      });
    }
    next();
  };
}
