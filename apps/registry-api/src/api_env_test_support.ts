import { randomBytes } from "node:crypto";
import { archiveBucket, streams } from "@charthouse/contracts";
import { createSecretBox, secretKeyId } from "@charthouse/credentials";
import { createSqlClient, ensureSchema, type SqlClient } from "@charthouse/db";
import { createLogger } from "@charthouse/logging";
import { ArchiveStore, connectNats, DeadLetterStream, ensureStream, Publisher, type NatsConnection } from "@charthouse/messaging";
import { startServiceHttp, type ServiceHttp } from "@charthouse/service-runtime";
import { createTestDatabase, startNatsServer } from "@charthouse/testing";
import { createApiRepositories, type ApiRepositories } from "./api_repositories.ts";
import { mountApi } from "./app.ts";
import { ensureApiToken, ensureOrganization, bootstrapDefaultOrganization } from "./bootstrap.ts";
import type { ApiContext } from "./api_context.ts";
import { EventFeed } from "./events_feed.ts";

/** A running registry-api on a private database and a private nats-server, for tests. */
export interface ApiTestEnv {
  baseUrl: string;
  /** The API's repositories over `sql`. */
  db: ApiRepositories;
  /** The private database, for fixtures the API cannot make (versions, sync outcomes). */
  sql: SqlClient;
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
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const natsServer = await startNatsServer();
    cleanups.unshift(() => natsServer.stop());
    const database = await createTestDatabase("ch_api_test");
    cleanups.unshift(() => database.drop());
    await ensureSchema(database.url);
    const sql = createSqlClient(database.url, { poolSize: 8 });
    cleanups.unshift(() => sql.close());
    const db = createApiRepositories(sql);
    const nats = await connectNats(natsServer.url, "registry-api-test");
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
    // GET /events as main.ts serves it, so tests that call every route reach it too.
    const events = await EventFeed.start(nats, { log });
    const deadLetters = await DeadLetterStream.open(nats);
    cleanups.unshift(() => events.close());
    const http: ServiceHttp = await startServiceHttp({
      service: "registry-api",
      port: 0,
      log,
      readiness: {
        postgres: async () => {
          await sql.query("SELECT 1");
        },
        nats: async () => {
          await nats.flush();
        },
      },
      mount: (app) => mountApi(app, context, { events, deadLetters }),
    });
    cleanups.unshift(() => http.close());
    const baseUrl = `http://127.0.0.1:${http.port}`;
    return {
      baseUrl,
      db,
      sql,
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
