import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { expect } from "vitest";
import type { RegistryJson } from "@charthouse/api-types";
import { waitFor } from "@charthouse/testing";
import { workspaceRoot } from "@charthouse/stack";
import type { PublishedVersion } from "./fault_repository.ts";
import type { CharthouseUnderTest } from "./running_charthouse.ts";
import { versionPath } from "./api_waits.ts";

/** The state of every row of one registry's versions, by chart and version, straight from Postgres. */
export interface VersionRow {
  id: string;
  chart: string;
  version: string;
  state: string;
  code: string | null;
}

/** One query on a fresh connection (the database may be restarting): throws while it is down. */
export async function queryOnce<T>(databaseUrl: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Every version row of the registry (tombstones included). */
export async function versionRows(databaseUrl: string, registryId: string): Promise<VersionRow[]> {
  return await queryOnce<VersionRow>(
    databaseUrl,
    `SELECT v.id, c.name AS chart, v.version, v.state, v.error->>'code' AS code
       FROM chart_versions v JOIN charts c ON c.id = v.chart_id WHERE v.registry_id = $1`,
    [registryId],
  );
}

/** How many of `versions` are in each state now ("absent" for those not written yet). */
export async function stateCounts(databaseUrl: string, registryId: string, versions: readonly PublishedVersion[]): Promise<Record<string, number>> {
  const rows = new Map((await versionRows(databaseUrl, registryId)).map((r) => [`${r.chart}@${r.version}`, r.state]));
  const counts: Record<string, number> = {};
  for (const v of versions) {
    const state = rows.get(`${v.chart}@${v.version}`) ?? "absent";
    counts[state] = (counts[state] ?? 0) + 1;
  }
  return counts;
}

/** What a registry must look like once it has recovered from a fault. */
export interface RecoveryExpectation {
  charthouse: CharthouseUnderTest;
  registryId: string;
  /** Every version its index lists now. */
  published: readonly PublishedVersion[];
  /** The versions this scenario is about (its wave). */
  wave: readonly PublishedVersion[];
  /** Where nginx serves the repository, to compare archives with. */
  repositoryUrl: string;
  timeoutMs: number;
  /**
   * Versions (`chart@version`) an earlier scenario left unsettled: counted, not held against this
   * scenario, so each scenario's verdict is its own.
   */
  leftovers?: ReadonlySet<string>;
}

/** `chart@version` of the registry's versions that are not settled (not ready, failed or removed) now. */
export async function unsettledVersions(databaseUrl: string, registryId: string): Promise<Set<string>> {
  const rows = await versionRows(databaseUrl, registryId);
  return new Set(rows.filter((r) => r.state === "discovered" || r.state === "downloaded").map((r) => `${r.chart}@${r.version}`));
}

/**
 * Waits until the registry is `ok` with exactly the index's count of versions, none of them
 * pending, then checks the scenario's wave: every version ready (or failed with digest_mismatch
 * where the index lies), no duplicate row, sampled archives byte-identical to the ones nginx
 * serves. Returns when the registry had recovered, as a timestamp.
 */
export async function expectRecovered(expected: RecoveryExpectation): Promise<number> {
  const { charthouse, registryId, published, wave } = expected;
  const waveKeys = new Set(wave.map((v) => `${v.chart}@${v.version}`));
  const leftovers = new Set([...(expected.leftovers ?? [])].filter((key) => !waveKeys.has(key)));
  let last: { registry?: RegistryJson["status"]; wave?: Record<string, number> } = {};
  try {
    await waitFor(
      async () => {
        const { status, body } = await charthouse.api<RegistryJson>("GET", `/registries/${registryId}`);
        if (status !== 200) return false;
        const states = await stateCounts(charthouse.databaseUrl, registryId, wave);
        last = { registry: body.status, wave: states };
        return (
          body.status.state === "ok" &&
          body.status.versions === published.length &&
          body.status.versions_pending <= leftovers.size &&
          (states["ready"] ?? 0) + (states["failed"] ?? 0) === wave.length
        );
      },
      { what: "the registry to recover", timeoutMs: expected.timeoutMs, intervalMs: 250 },
    );
  } catch (err) {
    const stuck = (await versionRows(charthouse.databaseUrl, registryId).catch(() => []))
      .filter((r) => waveKeys.has(`${r.chart}@${r.version}`) && r.state !== "ready" && r.state !== "failed")
      .slice(0, 10);
    const logs = charthouse.logs().split("\n");
    const aboutStuck = logs.filter((line) => stuck.some((r) => line.includes(r.id))).map((line) => line.slice(0, 600)).slice(-30);
    throw new Error(
      `Not recovered within ${expected.timeoutMs} ms: registry ${JSON.stringify(last.registry)}; wave states ${JSON.stringify(last.wave)}\n` +
        `stuck: ${stuck.map((r) => `${r.chart}@${r.version} ${r.state} (${r.id})`).join(", ")}\n` +
        `log lines about them:\n${aboutStuck.join("\n")}\n` +
        `service warnings, errors and restarts:\n${notableLogLines(charthouse.logs()).join("\n")}`,
      { cause: err },
    );
  }
  const recoveredAt = Date.now();

  const rows = await versionRows(charthouse.databaseUrl, registryId);
  const keys = rows.map((r) => `${r.chart}@${r.version}`);
  expect(keys.length - new Set(keys).size, "duplicate version rows in Postgres").toBe(0);
  const live = rows.filter((r) => r.state !== "removed");
  expect(live.length, "versions in Postgres vs in the index").toBe(published.length);
  expect(
    live.filter((r) => (r.state === "discovered" || r.state === "downloaded") && !leftovers.has(`${r.chart}@${r.version}`)),
    "versions stuck in an intermediate state",
  ).toEqual([]);

  const byKey = new Map(rows.map((r) => [`${r.chart}@${r.version}`, r]));
  const wrong = wave
    .map((v) => ({ v, row: byKey.get(`${v.chart}@${v.version}`) }))
    .filter(({ v, row }) => (v.lies ? row?.state !== "failed" || row.code !== "digest_mismatch" : row?.state !== "ready"))
    .map(({ v, row }) => `${v.chart}@${v.version}${v.lies ? " (lying digest)" : ""}: ${row?.state ?? "absent"} ${row?.code ?? ""}`);
  expect(wrong, "wave versions not ready (or not failed digest_mismatch where the index lies)").toEqual([]);

  // The wait saw the registry `ok`; its state is not asked again, since a scheduled sync (every
  // 10 s, and behind a flaky proxy its retries) may have begun since.
  const { body } = await charthouse.api<RegistryJson>("GET", `/registries/${registryId}`);
  expect(body.status.versions).toBe(published.length);
  const lying = new Set(published.filter((v) => v.lies).map((v) => `${v.chart}@${v.version}`));
  const failedHonest = live.filter((r) => r.state === "failed" && !lying.has(`${r.chart}@${r.version}`) && !leftovers.has(`${r.chart}@${r.version}`));
  expect(failedHonest, "failed versions whose registry did not lie").toEqual([]);
  if (leftovers.size === 0) expect(body.status.versions_failed).toBe(lying.size);

  const honest = wave.filter((v) => !v.lies);
  for (const v of [honest[0], honest[Math.floor(honest.length / 2)], honest.at(-1)]) {
    if (v === undefined) continue;
    const served = await fetch(`${charthouse.apiUrl}/api/v1${versionPath(registryId, v.chart, v.version)}/archive`, {
      headers: { authorization: `Bearer ${charthouse.token}` },
    });
    expect(served.status, `archive of ${v.chart}@${v.version}`).toBe(200);
    const original = await fetch(`${expected.repositoryUrl}/${v.file}`);
    expect(Buffer.from(await served.arrayBuffer()).equals(Buffer.from(await original.arrayBuffer())), `archive of ${v.chart}@${v.version}`).toBe(true);
  }
  return recoveredAt;
}

/** The service log lines worth showing when a scenario fails: warnings, errors and restarts (the last 40). */
export function notableLogLines(logs: string): string[] {
  return logs
    .split("\n")
    .filter((line) => line.startsWith("[stack]") || /"level":"(warn|error|fatal)"/.test(line))
    .map((line) => line.slice(0, 400))
    .slice(-40);
}

/** One scenario's outcome for .cache/test-results/fault-recovery.json. */
export interface RecoveryRecord {
  scenario: string;
  /** Fault -> every version of the wave ready and the registry ok; null when it did not recover. */
  recovery_ms: number | null;
  versions: number;
  passed: boolean;
  /** The wave's states when the fault was injected. */
  at_fault?: Record<string, number>;
  /** Versions an earlier scenario left unsettled when this one began. */
  leftovers?: number;
  error?: string;
}

/** Keeps every line the services printed, for a scenario that failed: .cache/test-results/fault-logs/<scenario>.log. */
export async function keepServiceLogs(scenario: string, logs: string): Promise<string> {
  const folder = join(workspaceRoot, ".cache", "test-results", "fault-logs");
  await mkdir(folder, { recursive: true });
  const path = join(folder, `${scenario.replace(/[^a-z0-9]+/gi, "_").toLowerCase()}.log`);
  await writeFile(path, logs);
  return path;
}

/** Writes every scenario's recovery to .cache/test-results/fault-recovery.json. */
export async function writeRecoveryReport(records: readonly RecoveryRecord[]): Promise<string> {
  const folder = join(workspaceRoot, ".cache", "test-results");
  await mkdir(folder, { recursive: true });
  const path = join(folder, "fault-recovery.json");
  await writeFile(path, `${JSON.stringify({ written_at: new Date().toISOString(), scenarios: records }, null, 2)}\n`);
  return path;
}
