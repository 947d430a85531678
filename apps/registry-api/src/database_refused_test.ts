import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express from "express";
import { createSqlClient, type SqlClient } from "@charthouse/db";
import { createLimitedRole, type LimitedRole } from "@charthouse/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiContext } from "./api_context.ts";
import { createApiRepositories } from "./api_repositories.ts";
import { buildApiRouter, buildHelmRouter } from "./app.ts";

// The API over a Postgres that refuses every connection with 53300 (too_many_connections), as
// one at max_connections does under load: clients must be told to come back, not that we broke.
let refusing: LimitedRole;
let sql: SqlClient;
let server: Server;
let base: string;

beforeAll(async () => {
  refusing = await createLimitedRole({ connectionLimit: 0 });
  sql = createSqlClient(refusing.url, { poolSize: 1 });
  // Only Postgres is reached before the answer: the token is looked up first.
  const context = { db: createApiRepositories(sql), log: pino({ level: "silent" }), secretBox: null } as unknown as ApiContext;
  const app = express();
  app.use("/api/v1", buildApiRouter(context));
  app.use("/helm", buildHelmRouter(context));
  server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.close();
  await sql?.close();
  await refusing?.drop();
});

describe("the API while Postgres refuses connections", () => {
  it("answers 503 problem+json with code unavailable and a Retry-After, not a 500", async () => {
    const requests = [
      fetch(`${base}/api/v1/registries`, { headers: { authorization: "Bearer cht_any" } }),
      fetch(`${base}/helm/charts/index.yaml`, { headers: { authorization: `Basic ${Buffer.from("x:cht_any").toString("base64")}` } }),
    ];
    for (const res of await Promise.all(requests)) {
      expect(res.status, res.url).toBe(503);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.headers.get("retry-after"), res.url).toBe("5");
      expect(await res.json()).toMatchObject({ status: 503, code: "unavailable", detail: "Postgres is unavailable" });
    }
  });
});
