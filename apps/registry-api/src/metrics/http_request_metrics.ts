import type { RequestHandler } from "express";
import { Counter, Histogram, type Registry } from "prom-client";
import type { ApiRoute } from "../api_route_list.ts";

/** The `route` of a request under the API base path that matches no route. */
export const unmatchedApiRoute = "unmatched";
/** The `route` of everything outside the API: the web UI's files and pages. */
export const webUiRoute = "web_ui";

const knownMethods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * Names a request by its route pattern (`/api/v1/registries/:id`), never its raw path, so ids
 * and names never become label values. The pattern is found from the path and method, so a
 * request refused before routing (401, 403) still counts under its route.
 */
export function routeLabeler(basePath: string, routes: readonly ApiRoute[]): (method: string, path: string) => string {
  const matchers = routes.map((route) => ({
    method: route.method,
    label: `${basePath}${route.path}`,
    pattern: new RegExp(`^${escapeRoute(`${basePath}${route.path}`)}/?$`),
  }));
  return (method, path) => {
    const asMethod = method === "HEAD" ? "GET" : method;
    const match = matchers.find((m) => m.method === asMethod && m.pattern.test(path));
    if (match) return match.label;
    return path === basePath || path.startsWith(`${basePath}/`) ? unmatchedApiRoute : webUiRoute;
  };
}

// `:name` segments match one path segment; everything else literally.
function escapeRoute(path: string): string {
  return path
    .split(/(:[A-Za-z_][A-Za-z0-9_]*)/)
    .map((part) => (part.startsWith(":") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
}

/**
 * Counts every request that reaches it (charthouse_http_requests_total) and times it
 * (charthouse_http_request_duration_seconds), by route pattern, method and status, when the
 * response ends or the client goes away. Mount it before the API and the web UI.
 */
export function httpRequestMetrics(registry: Registry, labelRoute: (method: string, path: string) => string): RequestHandler {
  const labelNames = ["route", "method", "status"] as const;
  const requests = new Counter({
    name: "charthouse_http_requests_total",
    help: "HTTP requests answered by registry-api, by route pattern, method and status",
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "charthouse_http_request_duration_seconds",
    help: "Time from a request's arrival until its response ended (an /events stream: its whole life)",
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60],
    registers: [registry],
  });
  return (req, res, next) => {
    const started = performance.now();
    res.once("close", () => {
      const method = knownMethods.has(req.method) ? req.method : "OTHER";
      const labels = { route: labelRoute(req.method, pathOf(req.originalUrl)), method, status: String(res.statusCode) };
      requests.inc(labels);
      duration.observe(labels, (performance.now() - started) / 1000);
    });
    next();
  };
}

function pathOf(url: string): string {
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}
