import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RegistryJson, SyncRunJson, PageJson } from "@charthouse/api-types";
import type { ServiceName } from "@charthouse/stack";
import {
  createTestDatabase,
  makeTempDir,
  removeTempDir,
  startFlakyProxy,
  startNatsServer,
  startNginx,
  startPostgresServer,
  waitFor,
  type FlakyProxy,
  type NatsServer,
  type NginxServer,
  type PostgresServer,
  type TestDatabase,
} from "@charthouse/testing";
import {
  expectRecovered,
  keepServiceLogs,
  stateCounts,
  unsettledVersions,
  writeRecoveryReport,
  type RecoveryRecord,
} from "./support/fault_checks.ts";
import { makeFaultRepository, type FaultRepository, type PublishedVersion } from "./support/fault_repository.ts";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";

// The fault suite: Charthouse on a private Postgres and a private nats-server syncs a repository
// of about 2,000 small charts served by nginx while its processes, its broker and its database
// are killed, and two more registries behind a flaky proxy and a host that goes dark. Each
// scenario publishes a wave of new versions, asks for a sync, injects its fault while the wave is
// being worked on, and then expects every version ready (or failed digest_mismatch where the
// index lies), exactly the index's count, no duplicate, the registry ok and archives identical.

const baseVersions = 1_400;
const waveVersions = 60;
const proxiedVersions = 100;
const recoveryTimeoutMs = 90_000;

let root: string;
let postgres: PostgresServer;
let database: TestDatabase;
let nats: NatsServer;
let nginx: NginxServer;
let charthouse: CharthouseUnderTest;
let main: FaultRepository;
let mainRegistryId: string;
const proxies: FlakyProxy[] = [];
const records: RecoveryRecord[] = [];

beforeAll(async () => {
  root = await makeTempDir("fault-repositories");
  main = await makeFaultRepository(root, "main");
  await main.publishWave(baseVersions, { lying: 2 });
  nginx = await startNginx({ root });
  postgres = await startPostgresServer();
  database = await createTestDatabase("charthouse_fault", { serverUrl: postgres.url });
  nats = await startNatsServer();
  charthouse = await startCharthouse({
    databaseUrl: database.url,
    natsUrl: nats.url,
    restart: { initialDelayMs: 1_000, maxDelayMs: 10_000, healthyAfterMs: 30_000 },
    // A short circuit reset and retry cap keep each scenario within its bound; production waits
    // up to 5 minutes between two retries, so the last versions behind a registry that fails 60%
    // of its requests take minutes there.
    env: { CHARTHOUSE_CIRCUIT_RESET_MS: "2000", CHARTHOUSE_RETRY_MAX_DELAY_MS: "5000" },
  });
  const started = Date.now();
  mainRegistryId = await addRegistry("main", `${nginx.url}/main`);
  const ready = await expectRecovered({
    charthouse,
    registryId: mainRegistryId,
    published: main.versions(),
    wave: main.versions(),
    repositoryUrl: `${nginx.url}/main`,
    timeoutMs: 240_000,
  });
  report({ scenario: "first sync (no fault)", recovery_ms: ready - started, versions: baseVersions, passed: true });
}, 300_000);

afterAll(async () => {
  const path = await writeRecoveryReport(records).catch(() => "(not written)");
  process.stderr.write(`fault recovery times written to ${path}\n`);
  await charthouse?.stop();
  for (const proxy of proxies) await proxy.stop();
  await nginx?.stop();
  await nats?.stop();
  await database?.drop().catch(() => undefined);
  await postgres?.stop();
  if (root !== undefined) await removeTempDir(root);
});

function report(record: RecoveryRecord): void {
  records.push(record);
  const time = record.recovery_ms === null ? "did not recover" : `recovered in ${(record.recovery_ms / 1000).toFixed(1)} s`;
  process.stderr.write(`fault scenario "${record.scenario}": ${time} (${record.versions} versions)${record.passed ? "" : " FAILED"}\n`);
}

async function addRegistry(name: string, url: string): Promise<string> {
  const created = await charthouse.api<RegistryJson>("POST", "/registries", { name, url, sync_interval_seconds: 10 });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

/** Asks for a sync of the registry; returns the id of its sync run. */
async function syncNow(registryId: string): Promise<string> {
  const { status, body } = await charthouse.api<{ sync_id: string }>("POST", `/registries/${registryId}/sync`);
  expect(status, JSON.stringify(body)).toBe(202);
  return body.sync_id;
}

/** Polls the wave's states in Postgres until `when` holds, fast enough to hit the moment it does. */
async function waitForWave(registryId: string, wave: readonly PublishedVersion[], when: (states: Record<string, number>) => boolean, what: string): Promise<void> {
  await waitFor(async () => when(await stateCounts(charthouse.databaseUrl, registryId, wave)), { what, timeoutMs: 60_000, intervalMs: 25 });
}

/** When a fault began, and the wave's states just before. */
interface InjectedFault {
  at: number;
  states?: Record<string, number>;
}

/** The wave's states now, for the record (undefined if Postgres does not answer). */
async function statesNow(registryId: string, wave: readonly PublishedVersion[]): Promise<Record<string, number> | undefined> {
  return await stateCounts(charthouse.databaseUrl, registryId, wave).catch(() => undefined);
}

/**
 * Runs one scenario: `inject` waits for its moment, injects the fault (ending it if it is an
 * outage) and returns when the fault began; then the recovery checks. Records the recovery time
 * (fault -> all ready) either way.
 */
async function scenario(
  name: string,
  options: { registryId: string; repository: FaultRepository; repositoryUrl: string; wave: readonly PublishedVersion[]; timeoutMs?: number },
  inject: () => Promise<InjectedFault>,
): Promise<void> {
  let atFault: Record<string, number> | undefined;
  let leftovers = new Set<string>();
  try {
    leftovers = await unsettledVersions(charthouse.databaseUrl, options.registryId);
    const fault = await inject();
    const faultAt = fault.at;
    atFault = fault.states;
    const recoveredAt = await expectRecovered({
      charthouse,
      registryId: options.registryId,
      published: options.repository.versions(),
      wave: options.wave,
      repositoryUrl: options.repositoryUrl,
      timeoutMs: options.timeoutMs ?? recoveryTimeoutMs,
      leftovers,
    });
    report({ scenario: name, recovery_ms: recoveredAt - faultAt, versions: options.wave.length, passed: true, ...details(atFault, leftovers) });
  } catch (err) {
    const logs = await keepServiceLogs(name, charthouse.logs()).catch(() => "(not kept)");
    const error = `${String(err).slice(0, 4_000)}\nservice logs: ${logs}`;
    report({ scenario: name, recovery_ms: null, versions: options.wave.length, passed: false, error, ...details(atFault, leftovers) });
    throw err;
  }
}

/** The optional parts of a record: the wave's states at the fault, and an earlier scenario's leftovers. */
function details(atFault: Record<string, number> | undefined, leftovers: ReadonlySet<string>): Partial<RecoveryRecord> {
  return { ...(atFault ? { at_fault: atFault } : {}), ...(leftovers.size > 0 ? { leftovers: leftovers.size } : {}) };
}

/** Publishes a wave on the main repository, asks for a sync, and injects `fault` once `when` holds for the wave. */
async function mainScenario(
  name: string,
  when: ((states: Record<string, number>) => boolean) | "sync started",
  fault: () => Promise<void>,
): Promise<void> {
  const wave = await main.publishWave(waveVersions);
  await scenario(name, { registryId: mainRegistryId, repository: main, repositoryUrl: `${nginx.url}/main`, wave }, async () => {
    const syncId = await syncNow(mainRegistryId);
    if (when === "sync started") {
      await waitFor(
        async () => {
          const runs = await charthouse.api<PageJson<SyncRunJson>>("GET", `/registries/${mainRegistryId}/syncs`);
          return runs.body.items.find((run) => run.id === syncId && run.started_at !== null) ?? false;
        },
        { what: "the sync to start", timeoutMs: 30_000, intervalMs: 20 },
      );
    } else {
      await waitForWave(mainRegistryId, wave, when, `the moment to inject "${name}"`);
    }
    const states = await statesNow(mainRegistryId, wave);
    const at = Date.now();
    await fault();
    return { at, ...(states ? { states } : {}) };
  });
}

/** Kills every copy of a service with SIGKILL and waits until its supervisor has it running again. */
async function killAndAwaitRestart(service: ServiceName): Promise<void> {
  const before = charthouse.stack.processes.filter((p) => p.service === service).map((p) => p.starts);
  await charthouse.stack.kill(service, "SIGKILL");
  await waitFor(
    () => charthouse.stack.processes.filter((p) => p.service === service).every((p, i) => p.starts > (before[i] ?? 0)),
    { what: `${service} to be restarted by its supervisor`, timeoutMs: 30_000, intervalMs: 100 },
  );
}

const started = (states: Record<string, number>): boolean => (states["absent"] ?? 0) < waveVersions;
const someDownloaded = (states: Record<string, number>): boolean => (states["downloaded"] ?? 0) + (states["ready"] ?? 0) >= 3;
const someReady = (states: Record<string, number>): boolean => (states["ready"] ?? 0) >= 3;

describe("fault suite", () => {
  it("index-fetcher killed with SIGKILL while it syncs", { timeout: 150_000 }, async () => {
    await mainScenario("kill -9 index-fetcher", "sync started", () => killAndAwaitRestart("index-fetcher"));
  });

  it("chart-downloader killed with SIGKILL while it downloads", { timeout: 150_000 }, async () => {
    await mainScenario("kill -9 chart-downloader", someDownloaded, () => killAndAwaitRestart("chart-downloader"));
  });

  it("metadata-extractor killed with SIGKILL while it extracts", { timeout: 150_000 }, async () => {
    await mainScenario("kill -9 metadata-extractor", someReady, () => killAndAwaitRestart("metadata-extractor"));
  });

  it("scheduler killed with SIGKILL during a sync", { timeout: 150_000 }, async () => {
    await mainScenario("kill -9 scheduler", started, () => killAndAwaitRestart("scheduler"));
  });

  it("registry-api killed with SIGKILL during a sync", { timeout: 150_000 }, async () => {
    await mainScenario("kill -9 registry-api", started, () => killAndAwaitRestart("registry-api"));
  });

  it("oci-fetcher killed with SIGKILL during a sync", { timeout: 150_000 }, async () => {
    await mainScenario("kill -9 oci-fetcher", someDownloaded, () => killAndAwaitRestart("oci-fetcher"));
  });

  it("nats-server killed with SIGKILL and restarted on the same store during a sync", { timeout: 150_000 }, async () => {
    await mainScenario("kill -9 nats-server, back after 2 s", someDownloaded, async () => {
      await nats.shutdown({ signal: "SIGKILL" });
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await nats.start();
    });
  });

  it("Postgres stopped and started during a sync", { timeout: 150_000 }, async () => {
    await mainScenario("Postgres fast shutdown, back after 3 s", someDownloaded, async () => {
      await postgres.shutdown({ mode: "fast" });
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await postgres.start();
    });
  });

  it("a registry behind a flaky proxy (30% 503, 10% resets, 10% truncated, 10% 429)", { timeout: 200_000 }, async () => {
    const repository = await makeFaultRepository(root, "flaky");
    const wave = await repository.publishWave(proxiedVersions);
    const proxy = await startFlakyProxy(nginx.url, {
      shares: { unavailable: 0.3, reset: 0.1, truncated: 0.1, rateLimited: 0.1 },
      retryAfterSeconds: 1,
    });
    proxies.push(proxy);
    // The fault is there from the registry's first request on.
    const faultAt = Date.now();
    const id = await addRegistry("flaky", `${proxy.url}/flaky`);
    // 60% of requests fail: about 0.6^10 of the versions still fail their tenth try, so this one waits longer.
    await scenario("flaky registry", { registryId: id, repository, repositoryUrl: `${nginx.url}/flaky`, wave, timeoutMs: 150_000 }, async () => ({
      at: faultAt,
    }));
    const outcomes = new Set(proxy.requests().map((r) => r.outcome));
    expect([...outcomes].sort()).toEqual(["forwarded", "rate_limited", "reset", "truncated", "unavailable"]);
  });

  it("a registry host that goes dark for longer than the circuit breaker's reset, then returns", { timeout: 150_000 }, async () => {
    const repository = await makeFaultRepository(root, "dark");
    const wave = await repository.publishWave(proxiedVersions);
    const proxy = await startFlakyProxy(nginx.url);
    proxies.push(proxy);
    const id = await addRegistry("dark", `${proxy.url}/dark`);
    await scenario("registry host dark for 6 s", { registryId: id, repository, repositoryUrl: `${nginx.url}/dark`, wave }, async () => {
      await waitForWave(id, wave, someDownloaded, "the dark registry's first downloads");
      const states = await statesNow(id, wave);
      const at = Date.now();
      await proxy.goDark("refuse");
      // Three times the circuit breaker's reset (CHARTHOUSE_CIRCUIT_RESET_MS=2000).
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      await proxy.light();
      return { at, ...(states ? { states } : {}) };
    });
    expect(proxy.requests().filter((r) => r.path.endsWith(".tgz")).length).toBeGreaterThanOrEqual(proxiedVersions);
  });
});
