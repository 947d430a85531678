import type { Router } from "express";

/** One route of the API: its method (upper case) and express path, e.g. `GET /registries/:id`. */
export interface ApiRoute {
  method: string;
  path: string;
}

interface RouterLayer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
  slash?: boolean;
}

/**
 * Every route a router answers, read from express's own routing table, so tests that must cover
 * every route (isolation, scopes) cannot miss one added later. Sub-routers count only when
 * mounted at "/"; one mounted at a path fails loudly rather than being skipped.
 */
export function listApiRoutes(router: Router): ApiRoute[] {
  const routes: ApiRoute[] = [];
  const walk = (stack: readonly RouterLayer[]): void => {
    for (const layer of stack) {
      if (layer.route !== undefined) {
        if (typeof layer.route.path !== "string") throw new Error("listApiRoutes() reads string route paths only");
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== "_all") routes.push({ method: method.toUpperCase(), path: layer.route.path });
        }
      } else if (layer.handle?.stack !== undefined) {
        if (layer.slash !== true) throw new Error("listApiRoutes() cannot list a router mounted at a path: mount it at / instead");
        walk(layer.handle.stack);
      }
    }
  };
  walk((router as unknown as { stack: RouterLayer[] }).stack);
  return routes;
}
