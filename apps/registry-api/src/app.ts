import { Router, type Express } from "express";
import { helmIndexCommitSlackSeconds } from "@charthouse/db";
import { NotFoundError } from "@charthouse/errors";
import { redactedPaths } from "@charthouse/logging";
import type { DeadLetterStream } from "@charthouse/messaging";
import type { Registry } from "prom-client";
import type { ApiContext } from "./api_context.ts";
import { listApiRoutes } from "./api_route_list.ts";
import { authenticate, requireScope, requireScopeFor } from "./auth.ts";
import { sharedTokenAdmission } from "./cached_token_admission.ts";
import type { EventFeed } from "./events_feed.ts";
import { authenticateHelmClient, helmAuthChallenge } from "./helm_auth.ts";
import { buildHelmIndex } from "./helm_index_build.ts";
import { HelmIndexRefresher } from "./helm_index_refresher.ts";
import { HelmIndexService } from "./helm_index_service.ts";
import { httpRequestMetrics, routeLabeler } from "./metrics/http_request_metrics.ts";
import { requestTracing } from "./request_tracing.ts";
import { openApiDocument } from "./openapi.ts";
import { problemHandler, sendProblem } from "./problem.ts";
import { jsonRequestBody } from "./request_body.ts";
import { adminRoutes } from "./routes/admin_routes.ts";
import { chartRoutes } from "./routes/chart_routes.ts";
import { compareRoutes, readingPostPaths } from "./routes/compare_routes.ts";
import { credentialRoutes } from "./routes/credential_routes.ts";
import { eventRoutes, type EventRouteOptions } from "./routes/event_routes.ts";
import { helmRoutes, type HelmIndexForm } from "./routes/helm_routes.ts";
import { organizationRoutes } from "./routes/organization_routes.ts";
import { hooksRoutes } from "./routes/hooks_routes.ts";
import { receiversRoutes } from "./routes/receivers_routes.ts";
import { registryRoutes } from "./routes/registry_routes.ts";
import { subscriptionRoutes } from "./routes/subscription_routes.ts";
import { hooksBasePath } from "./queries/receivers_queries.ts";
import { tokenRoutes } from "./routes/token_routes.ts";
import { mountWebUi } from "./web_ui.ts";

/** The base path of the REST API. */
export const apiBasePath = "/api/v1";

/**
 * The router of /api/v1: the OpenAPI document without auth, then bearer auth, the resources,
 * a 404 problem for unknown routes, and the one error handler that answers problem+json.
 */
export function buildApiRouter(context: ApiContext, options: ApiOptions = {}): Router {
  const router = Router();
  router.get("/openapi.json", (_req, res) => {
    res.json(openApiDocument);
  });
  router.use(authenticate(sharedTokenAdmission(context.db.tokens, context.log)));
  router.use(requireScopeFor(readingPostPaths));
  router.use(jsonRequestBody());
  router.use(registryRoutes(context));
  router.use(credentialRoutes(context));
  router.use(chartRoutes(context));
  router.use(compareRoutes(context));
  if (options.events) router.use(eventRoutes(options.events, context, options.eventRoutes));
  router.use(subscriptionRoutes(context));
  router.use(tokenRoutes(context));
  router.use(organizationRoutes(context));
  router.use(receiversRoutes(context));
  if (options.deadLetters) router.use(adminRoutes(context, options.deadLetters));
  router.use((req, res) => {
    sendProblem(res, new NotFoundError(`No route ${req.method} ${req.baseUrl}${req.path}`));
  });
  router.use(problemHandler(context.log));
  return router;
}

/**
 * What the API serves beyond ApiContext: the live events feed (GET /events only exists with it;
 * with it, Helm indexes are also rebuilt when a sync changes them, not by the first request after).
 */
export interface ApiOptions {
  events?: EventFeed;
  /** Timing of the event streams (tests shorten it). */
  eventRoutes?: EventRouteOptions;
  /** Where requests are counted and timed by route pattern (the service's /metrics registry). */
  metrics?: Registry;
  /** The dead-letter stream: the operator's /admin/dead-letters routes only exist with it. */
  deadLetters?: DeadLetterStream;
}

/** Where the Helm repositories are served: `/helm/{registry-name}/index.yaml`. */
export const helmBasePath = "/helm";

/**
 * The form of the index helm itself gets (it does not ask for one). Measured with the real helm
 * (bench/helm_index_bench.ts): it loads the JSON form of a large index faster than the YAML one.
 */
export const helmIndexFormForHelm: HelmIndexForm = "json";

/**
 * The router of /helm: every registry of the token's organisation as a Helm repository, with
 * auth as helm sends it (Basic with the token as password, or bearer), read scope, and 401s that
 * ask for Basic credentials so helm sends them. With `events`, an index that was asked for is
 * rebuilt once its registry's events pause (HelmIndexRefresher), so no request waits for it.
 */
export function buildHelmRouter(context: ApiContext, events?: EventFeed): Router {
  const router = Router();
  const indexes = new HelmIndexService(context.db.helmIndexes, buildHelmIndex, { log: context.log });
  // One more look just after the commit slack, so a sync's last writes do not make a request rebuild it.
  const settleMs = (helmIndexCommitSlackSeconds + 1) * 1_000;
  events?.observe(new HelmIndexRefresher((registryId) => indexes.refresh(registryId), { log: context.log, settleMs }));
  router.use(authenticateHelmClient(sharedTokenAdmission(context.db.tokens, context.log)));
  router.use(requireScope("read"));
  router.use(
    helmRoutes({
      indexes,
      archives: context.db.helmIndexes,
      archiveStore: context.archives,
      helmForm: helmIndexFormForHelm,
    }),
  );
  router.use((req, res) => {
    sendProblem(res, new NotFoundError(`No route ${req.method} ${req.baseUrl}${req.path}`), { challenge: helmAuthChallenge });
  });
  router.use(problemHandler(context.log, { challenge: helmAuthChallenge }));
  return router;
}

/**
 * The router of /hooks: registries' push events, proven by each receiver's own secret rather
 * than an API token (see hooksRoutes), with problem+json errors like the API's.
 */
export function buildHooksRouter(context: ApiContext, options: ApiOptions = {}): Router {
  const router = Router();
  router.use(hooksRoutes(context, options.metrics === undefined ? {} : { metrics: options.metrics }));
  // Docker Hub's secret is a path segment: the paths of failed requests are not logged here.
  router.use(problemHandler(context.log.child({}, { redact: { paths: [...redactedPaths, "path"], censor: "[redacted]" } })));
  return router;
}

/** Mounts the API on a service's express app (see startServiceHttp's `mount`), then the web UI at `/`. */
export function mountApi(app: Express, context: ApiContext, options: ApiOptions = {}): void {
  const router = buildApiRouter(context, options);
  const helmRouter = buildHelmRouter(context, options.events);
  const hooksRouter = buildHooksRouter(context, options);
  const labelApiRoute = routeLabeler(apiBasePath, listApiRoutes(router));
  const labelHelmRoute = routeLabeler(helmBasePath, listApiRoutes(helmRouter));
  const labelHooksRoute = routeLabeler(hooksBasePath, listApiRoutes(hooksRouter));
  const under = (path: string, base: string): boolean => path === base || path.startsWith(`${base}/`);
  const labelRoute = (method: string, path: string): string =>
    under(path, helmBasePath) ? labelHelmRoute(method, path) : under(path, hooksBasePath) ? labelHooksRoute(method, path) : labelApiRoute(method, path);
  app.use(requestTracing(labelRoute));
  if (options.metrics) app.use(httpRequestMetrics(options.metrics, labelRoute));
  app.use(apiBasePath, router);
  app.use(helmBasePath, helmRouter);
  app.use(hooksBasePath, hooksRouter);
  mountWebUi(app);
}
