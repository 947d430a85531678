import { Router } from "express";
import { InputError } from "@charthouse/errors";
import type { ApiContext } from "../api_context.ts";
import { authOf } from "../auth.ts";
import { single } from "../pagination.ts";
import { pathId } from "../path_ids.ts";
import { checkVersionValues, comparisonSource, getVersionComparison, type ComparisonCacheLimits } from "../queries/version_compare_queries.ts";
import { yamlRequestBody } from "../request_body.ts";
import { versionRef } from "./chart_routes.ts";

/** POST routes that only read (a values file checked against a version): the `read` scope is enough. */
export const readingPostPaths: readonly RegExp[] = [/^\/registries\/[^/]+\/charts\/[^/]+\/versions\/[^/]+\/check-values\/?$/];

/** Options of {@link compareRoutes}. */
export interface CompareRouteOptions {
  /** Bounds of the caches of versions read and comparisons made (tests shrink them). */
  cacheLimits?: Readonly<ComparisonCacheLimits>;
}

/** Two versions of a chart compared, and a user's values file checked against one, from the stored metadata. */
export function compareRoutes(context: ApiContext, options: CompareRouteOptions = {}): Router {
  const source = comparisonSource(context.db.versionMetadata, options.cacheLimits);
  const router = Router();

  router.get("/registries/:id/charts/:name/compare", async (req, res) => {
    const from = requiredQuery(req.query["from"], "from");
    const to = requiredQuery(req.query["to"], "to");
    const chart = { registryId: pathId(req.params.id, "registry"), name: req.params.name };
    res.json(await getVersionComparison(source, authOf(res).organizationId, { chart, from, to }));
  });

  router.post("/registries/:id/charts/:name/versions/:version/check-values", yamlRequestBody(), async (req, res) => {
    res.json(await checkVersionValues(source, authOf(res).organizationId, versionRef(req), valuesOf(req.body)));
  });

  return router;
}

/** A query parameter that must be given once, not empty; missing is a 422 naming it. */
function requiredQuery(value: unknown, field: string): string {
  const text = single(value, field);
  if (text === undefined || text === "") {
    throw new InputError(`The query parameter ${field} is required: the version to compare`, { fields: [{ field, message: "is required" }] });
  }
  return text;
}

/** The values file of a check-values body: YAML text, or JSON `{ "values": "<yaml text>" }`. */
function valuesOf(body: unknown): string {
  if (typeof body === "string") return body;
  if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    const values = (body as Record<string, unknown>)["values"];
    if (typeof values === "string") return values;
    throw new InputError('The body must be JSON { "values": "<the values file as YAML text>" }', {
      fields: [{ field: "values", message: "must be a string of YAML" }],
    });
  }
  throw new InputError('Send the values file as Content-Type: application/yaml, or JSON { "values": "<yaml text>" }', {
    fields: [{ field: "body", message: "must be YAML (application/yaml) or a JSON object with values" }],
  });
}
