import { randomBytes } from "node:crypto";
import {
  buildServices,
  describeStackEvent,
  services,
  startStack,
  workspaceRoot,
  type RestartPolicy,
  type ServiceName,
  type Stack,
} from "@charthouse/stack";
import { createTestDatabase, freePort, startNatsServer, waitFor, type NatsServer, type TestDatabase } from "@charthouse/testing";
import { cpuProfileArgs, nameCpuProfiles } from "./cpu_profiles.ts";
import { currentTestFileName, recordApiExchange, recordSecret, recordServiceOutput } from "./secret_ledger.ts";

let stacksStarted = 0;

/** A whole Charthouse for one test file: every service as its own process on a private NATS and database. */
export interface CharthouseUnderTest {
  apiUrl: string;
  /** The HTTP port (/healthz, /readyz, /metrics) of each service's first copy. */
  ports: ReadonlyMap<ServiceName, number>;
  token: string;
  secretKey: string;
  databaseUrl: string;
  natsUrl: string;
  /** Every line every service printed so far. */
  logs(): string;
  /** Calls the REST API with the admin token; returns status and parsed JSON (or text). */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; headers: Headers }>;
  stack: Stack;
  stop(): Promise<void>;
}

/** Options of {@link startCharthouse}. */
export interface StartCharthouseOptions {
  copies?: number;
  /** Copies of particular services, overriding `copies` for them. */
  copiesOf?: Partial<Record<ServiceName, number>>;
  env?: Record<string, string>;
  only?: readonly ServiceName[];
  /** Use this database (left in place on stop) instead of making one on the shared server. */
  databaseUrl?: string;
  /** Use this NATS (left running on stop) instead of starting a private nats-server. */
  natsUrl?: string;
  /** Restart a service process that exits, with this backoff; its restart lines go to logs(). */
  restart?: Readonly<RestartPolicy>;
}

/** Starts Charthouse with `copies` copies of each service and waits until its API is ready. */
export async function startCharthouse(options: StartCharthouseOptions = {}): Promise<CharthouseUnderTest> {
  let database: TestDatabase | undefined;
  let nats: NatsServer | undefined;
  let stack: Stack | undefined;
  try {
    await buildServices(workspaceRoot, options.only);
    if (options.databaseUrl === undefined) database = await createTestDatabase("charthouse_e2e");
    if (options.natsUrl === undefined) nats = await startNatsServer();
    const databaseUrl = options.databaseUrl ?? database!.url;
    const natsUrl = options.natsUrl ?? nats!.url;
    const token = `ch_test_${randomBytes(16).toString("hex")}`;
    const secretKey = randomBytes(32).toString("base64");
    // Every output line and API body of the stack is kept for the end-of-run secret scan.
    const ledgerName = `${currentTestFileName()}.${process.pid}.${stacksStarted++}`;
    recordSecret("bootstrap token (CHARTHOUSE_BOOTSTRAP_TOKEN)", token);
    recordSecret("CHARTHOUSE_SECRET_KEY", secretKey);
    const ports = new Map<ServiceName, number>();
    for (const service of services) ports.set(service.name, await freePort());
    const apiPort = ports.get("registry-api")!;
    const lines: string[] = [];
    const started = startStack({
      env: {
        DATABASE_URL: databaseUrl,
        NATS_URL: natsUrl,
        CHARTHOUSE_BOOTSTRAP_TOKEN: token,
        CHARTHOUSE_SECRET_KEY: secretKey,
        LOG_LEVEL: "info",
        CHARTHOUSE_CIRCUIT_RESET_MS: "2000",
        ...options.env,
      },
      copies: options.copies ?? 1,
      nodeArgs: cpuProfileArgs(),
      ...(options.copiesOf ? { copiesOf: options.copiesOf } : {}),
      port: (service, copy) => (copy === 0 ? ports.get(service)! : 0),
      output: (service, copy, chunk) => {
        lines.push(chunk.toString("utf8"));
        recordServiceOutput(ledgerName, service, copy, chunk);
      },
      ...(options.only ? { only: options.only } : {}),
      ...(options.restart ? { restart: options.restart } : {}),
      onEvent: (event) => {
        const line = describeStackEvent(event);
        if (line !== null) lines.push(`[stack] ${line}\n`);
      },
    });
    stack = started;
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    await waitFor(
      async () => {
        const crashed = started.processes.find((p) => p.child.exitCode !== null);
        if (crashed) throw new Error(`${crashed.service} exited with ${crashed.child.exitCode}:\n${lines.join("").slice(-4000)}`);
        const response = await fetch(`${apiUrl}/readyz`).catch(() => null);
        return response?.ok === true;
      },
      { what: "registry-api to be ready", timeoutMs: 60_000, intervalMs: 200 },
    );
    const db = database;
    const natsServer = nats;
    return {
      apiUrl,
      ports,
      token,
      secretKey,
      databaseUrl,
      natsUrl,
      logs: () => lines.join(""),
      stack: started,
      async api<T>(method: string, path: string, body?: unknown) {
        const response = await fetch(`${apiUrl}/api/v1${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { "content-type": "application/json" }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await response.text();
        recordApiExchange(ledgerName, { method, path, requestBody: body, status: response.status, responseText: text });
        const type = response.headers.get("content-type") ?? "";
        const parsed = type.includes("json") && text ? (JSON.parse(text) as T) : (text as T);
        return { status: response.status, body: parsed, headers: response.headers };
      },
      async stop() {
        await started.stop();
        await nameCpuProfiles(started.processes);
        await natsServer?.stop();
        await db?.drop();
      },
    };
  } catch (err) {
    await stack?.stop().catch(() => undefined);
    await nats?.stop().catch(() => undefined);
    await database?.drop().catch(() => undefined);
    throw err;
  }
}
