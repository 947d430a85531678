import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { connect as tcpConnect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { archiveBucket, streams } from "@charthouse/contracts";
import { createSecretBox, secretKeyId } from "@charthouse/credentials";
import { openDatabase, type DataSource } from "@charthouse/db";
import { createLogger } from "@charthouse/logging";
import { ArchiveStore, connectNats, ensureStream, Publisher, type NatsConnection } from "@charthouse/messaging";
import { startServiceHttp, type ServiceHttp } from "@charthouse/service-runtime";
import { mountApi } from "./app.ts";
import { ensureApiToken, ensureOrganization, bootstrapDefaultOrganization } from "./bootstrap.ts";
import type { ApiContext } from "./api_context.ts";

/** A running registry-api on a private database and a private nats-server, for tests. */
export interface ApiTestEnv {
  baseUrl: string;
  db: DataSource;
  nats: NatsConnection;
  archives: ArchiveStore;
  /** Organisation "default" and its read/write/admin token. */
  orgA: { id: string; token: string };
  /** Another organisation, to check that it sees nothing of the first. */
  orgB: { id: string; token: string };
  /** Calls the API with org A's token unless `token` says otherwise (null: no header). */
  call(path: string, init?: RequestInit & { token?: string | null; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

/** Starts the API for one test file. `secretKey: false` runs it without CHARTHOUSE_SECRET_KEY. */
export async function startApiTestEnv(options: { secretKey?: boolean } = {}): Promise<ApiTestEnv> {
  const log = createLogger("registry-api-test", { level: "silent" });
  const dataDir = await mkdtemp(join(tmpdir(), "charthouse-api-nats-"));
  const port = await freePort();
  const server = spawn("nats-server", ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", dataDir], { stdio: "ignore" });
  const cleanups: (() => Promise<void>)[] = [
    async () => {
      await stopProcess(server);
      await rm(dataDir, { recursive: true, force: true });
    },
  ];
  const dbName = `ch_api_test_${randomBytes(6).toString("hex")}`;
  try {
    await waitUntil(() => accepts(port), "nats-server to accept connections");
    const db = await openDatabase(`postgres://postgres@127.0.0.1:5432/${dbName}`, { poolSize: 8 });
    cleanups.unshift(async () => {
      await db.destroy();
      await dropDatabase(dbName);
    });
    const nats = await connectNats(`nats://127.0.0.1:${port}`, "registry-api-test");
    cleanups.unshift(async () => {
      await nats.drain();
    });
    const jsm = await nats.jetstreamManager();
    for (const stream of Object.values(streams)) await ensureStream(jsm, stream);
    const js = nats.jetstream();
    const archives = await ArchiveStore.open(js, archiveBucket);
    const key = new Uint8Array(randomBytes(32));
    const context: ApiContext = {
      db,
      publisher: new Publisher(js),
      archives,
      log,
      secretBox: options.secretKey === false ? null : createSecretBox({ current: { id: secretKeyId(key), key } }),
    };
    const tokenA = `cht_${randomBytes(16).toString("hex")}`;
    const orgAId = await bootstrapDefaultOrganization(db, tokenA);
    const orgBId = await ensureOrganization(db, `other-${randomBytes(4).toString("hex")}`);
    const tokenB = `cht_${randomBytes(16).toString("hex")}`;
    await ensureApiToken(db, orgBId, { name: "b", value: tokenB, scopes: ["read", "write"] });
    const http: ServiceHttp = await startServiceHttp({
      service: "registry-api",
      port: 0,
      log,
      readiness: {
        postgres: async () => {
          await db.query("SELECT 1");
        },
        nats: async () => {
          await nats.flush();
        },
      },
      mount: (app) => mountApi(app, context),
    });
    cleanups.unshift(() => http.close());
    const baseUrl = `http://127.0.0.1:${http.port}`;
    return {
      baseUrl,
      db,
      nats,
      archives,
      orgA: { id: orgAId, token: tokenA },
      orgB: { id: orgBId, token: tokenB },
      call: (path, init = {}) => {
        const { token, json, ...rest } = init;
        const headers = new Headers(rest.headers);
        const bearer = token === undefined ? tokenA : token;
        if (bearer !== null) headers.set("authorization", `Bearer ${bearer}`);
        if (json !== undefined) headers.set("content-type", "application/json");
        return fetch(`${baseUrl}${path}`, { ...rest, headers, ...(json === undefined ? {} : { body: JSON.stringify(json) }) });
      },
      close: () => runAll(cleanups),
    };
  } catch (err) {
    await runAll(cleanups);
    throw err;
  }
}

async function runAll(cleanups: (() => Promise<void>)[]): Promise<void> {
  for (const cleanup of cleanups) await cleanup().catch(() => undefined);
}

async function dropDatabase(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: "postgres://postgres@127.0.0.1:5432/postgres" });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Polls until `check` is true, with a deadline. */
export async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
