import type { Server } from "node:http";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeTempDir } from "@charthouse/testing";
import { mountWebUi, webUiContentSecurityPolicy } from "./web_ui.ts";

let root: string;
let server: Server;
let baseUrl: string;

async function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  return await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => {
      const address = s.address();
      resolve({ server: s, url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}` });
    });
  });
}

beforeAll(async () => {
  root = await makeTempDir("web-ui-");
  await mkdir(join(root, "assets"));
  await writeFile(join(root, "index.html"), "<!doctype html><title>Charthouse</title>");
  await writeFile(join(root, "assets", "index-AbC123.js"), "console.log(1)");
  await writeFile(join(root, "robots.txt"), "User-agent: *");
  const app = express();
  // Stands in for the API: a route and a problem answer that the UI must leave alone.
  app.get("/api/v1/registries", (_req, res) => {
    res.status(401).type("application/problem+json").send('{"code":"unauthorized"}');
  });
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  mountWebUi(app, { root });
  ({ server, url: baseUrl } = await listen(app));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await removeTempDir(root);
});

describe("mountWebUi()", () => {
  it("serves index.html at / and at client-side routes, with the CSP and no caching", async () => {
    for (const path of ["/", "/charts", "/charts/0f1e/nginx%2Bplus", "/charts/0f1e/cert-manager.io", "/repositories/"]) {
      const response = await fetch(`${baseUrl}${path}`);
      expect(response.status, path).toBe(200);
      expect(await response.text()).toContain("<title>Charthouse</title>");
      expect(response.headers.get("content-security-policy")).toBe(webUiContentSecurityPolicy);
      expect(response.headers.get("cache-control")).toBe("no-cache");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
    }
  });

  it("caches hashed assets for a year and answers a missing one 404, not the page", async () => {
    const asset = await fetch(`${baseUrl}/assets/index-AbC123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const missing = await fetch(`${baseUrl}/assets/index-Gone99.js`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toContain("<title>");
  });

  it("leaves the API's answers, health endpoints and unknown API paths alone", async () => {
    const api = await fetch(`${baseUrl}/api/v1/registries`);
    expect(api.status).toBe(401);
    expect(api.headers.get("content-type")).toContain("application/problem+json");
    expect(api.headers.get("content-security-policy")).toBeNull();
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
    const unknownApi = await fetch(`${baseUrl}/api/v2/anything`);
    expect(unknownApi.status).toBe(404);
    expect(await unknownApi.text()).not.toContain("<title>Charthouse");
  });

  it("serves other files of dist/ and answers 404 for missing files and non-GET methods", async () => {
    expect(await (await fetch(`${baseUrl}/robots.txt`)).text()).toBe("User-agent: *");
    expect((await fetch(`${baseUrl}/favicon.ico`)).status).toBe(404);
    expect((await fetch(`${baseUrl}/charts`, { method: "POST" })).status).toBe(404);
  });

  it("says how to build the UI when apps/web/dist is missing", async () => {
    const app = express();
    const empty = await makeTempDir("web-ui-none-");
    mountWebUi(app, { root: empty });
    const { server: s, url } = await listen(app);
    try {
      const response = await fetch(`${url}/charts`);
      expect(response.status).toBe(503);
      expect(await response.text()).toContain("npm run build -w @charthouse/web");
    } finally {
      await new Promise((resolve) => s.close(resolve));
      await removeTempDir(empty);
    }
  });
});
