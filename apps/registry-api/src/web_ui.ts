import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import express, { type Express, type NextFunction, type Request, type Response } from "express";

/**
 * The Content-Security-Policy of the web UI: its own scripts, styles and API only; no inline
 * script or style, no frames, no plugins. Images may also come from https: and data: (chart
 * icons and README badges live on other sites).
 */
export const webUiContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join("; ");

const securityHeaders: Record<string, string> = {
  "Content-Security-Policy": webUiContentSecurityPolicy,
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
};

// Paths that belong to the API and the health endpoints, never to the UI's fallback.
const serverPaths = /^\/(api|helm|hooks|healthz|readyz|metrics)(\/|$)/;

/** Where the built UI is: apps/web/dist, from apps/registry-api/src (tests) or apps/registry-api/dist (bundle). */
export function defaultWebUiRoot(): string {
  return fileURLToPath(new URL("../../web/dist/", import.meta.url));
}

/**
 * Serves the web UI's static files at `/`: hashed files under /assets/ cached for a year
 * (immutable), index.html revalidated on every load, and index.html for any other GET of a page
 * path (client-side routes such as /charts/...) that is not the API's, a health endpoint or a file.
 * Mount after the API so its routes and problem responses are untouched.
 */
export function mountWebUi(app: Express, options: { root?: string } = {}): void {
  const root = options.root ?? defaultWebUiRoot();
  const indexPath = join(root, "index.html");
  const rootFiles = express.static(root, { index: false, maxAge: 0, redirect: false, dotfiles: "ignore" });
  const uiHeaders = (_req: Request, res: Response, next: NextFunction): void => {
    res.set(securityHeaders);
    next();
  };

  app.use(
    "/assets",
    uiHeaders,
    express.static(join(root, "assets"), { index: false, immutable: true, maxAge: "365d", fallthrough: true, redirect: false }),
    (_req: Request, res: Response) => {
      res.status(404).type("text/plain").send("No such asset: the UI was rebuilt since this page loaded; reload it");
    },
  );

  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || serverPaths.test(req.path)) {
      next();
      return;
    }
    res.set(securityHeaders);
    // A file at the top (favicon.ico, robots.txt): from dist/ when there, else a plain 404. Deeper
    // paths are pages even with a dot in them (a chart named "cert-manager.io").
    if (/^\/[^/]+\.[^/]+$/.test(req.path) && req.path !== "/index.html") {
      rootFiles(req, res, () => {
        res.status(404).type("text/plain").send("Not found");
      });
      return;
    }
    if (!existsSync(indexPath)) {
      res
        .status(503)
        .type("text/plain")
        .send("The Charthouse web UI is not built. Run `npm run build -w @charthouse/web` (npm start does it), then reload.");
      return;
    }
    res.set("Cache-Control", "no-cache");
    res.sendFile(indexPath, { cacheControl: false, dotfiles: "deny" }, (err?: Error) => {
      if (err && !res.headersSent) next(err);
    });
  });
}
