import express, { Router, type Express } from "express";
import { NotFoundError } from "@charthouse/errors";
import type { ApiContext } from "./api_context.ts";
import { authenticate, requireScopeFor } from "./auth.ts";
import { openApiDocument } from "./openapi.ts";
import { problemHandler, sendProblem } from "./problem.ts";
import { chartRoutes } from "./routes/chart_routes.ts";
import { credentialRoutes } from "./routes/credential_routes.ts";
import { registryRoutes } from "./routes/registry_routes.ts";

/** The base path of the REST API. */
export const apiBasePath = "/api/v1";

/**
 * The router of /api/v1: the OpenAPI document without auth, then bearer auth, the resources,
 * a 404 problem for unknown routes, and the one error handler that answers problem+json.
 */
export function buildApiRouter(context: ApiContext): Router {
  const router = Router();
  router.get("/openapi.json", (_req, res) => {
    res.json(openApiDocument);
  });
  router.use(authenticate(context.db, context.log));
  router.use(requireScopeFor());
  router.use(express.json({ limit: "1mb", strict: true, type: ["application/json", "application/*+json"] }));
  router.use(registryRoutes(context));
  router.use(credentialRoutes(context));
  router.use(chartRoutes(context));
  router.use((req, res) => {
    sendProblem(res, new NotFoundError(`No route ${req.method} ${req.baseUrl}${req.path}`));
  });
  router.use(problemHandler(context.log));
  return router;
}

/** Mounts the API on a service's express app (see startServiceHttp's `mount`). */
export function mountApi(app: Express, context: ApiContext): void {
  app.use(apiBasePath, buildApiRouter(context));
}
