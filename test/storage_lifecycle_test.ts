import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { connect, type NatsConnection } from "nats";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archiveBucket } from "@charthouse/contracts";
import { ArchiveStore } from "@charthouse/messaging";
import { makeTempDir, startNginx, waitFor, type NginxServer } from "@charthouse/testing";
import { addRegistry, registrySettled, registryWhen, versionPath } from "./support/api_waits.ts";
import { chartYaml, craftTgz, indexEntry, sha256Hex } from "./support/crafted_archives.ts";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";

// Archives nobody references any more (a registry deleted mid-download, versions removed from an
// index, a version re-published under a new digest) are collected by the scheduler's storage
// sweep, run here every second with a 3-second grace period; tombstones are kept 0 days.
const sweepEnv = {
  CHARTHOUSE_STORAGE_SWEEP_INTERVAL_SECONDS: "1",
  CHARTHOUSE_ARCHIVE_GC_GRACE_SECONDS: "3",
  CHARTHOUSE_TOMBSTONE_RETENTION_DAYS: "0",
};

type Archive = [chart: string, version: string, bytes: Buffer];

let charthouse: CharthouseUnderTest;
let nats: NatsConnection;
let store: ArchiveStore;
let sql: pg.Client;
const servers: NginxServer[] = [];

/** A crafted chart with 16 KiB of incompressible padding, so a throttled server takes seconds per archive. */
async function paddedChart(name: string, version: string): Promise<Buffer> {
  return await craftTgz([
    { name: `${name}/Chart.yaml`, content: chartYaml(name, version) },
    { name: `${name}/values.yaml`, content: `version: ${version}\n` },
    { name: `${name}/files/padding.bin`, content: randomBytes(16 * 1024) },
  ]);
}

/** Writes index.yaml and the archives into `root`. */
async function writeRepository(root: string, archives: readonly Archive[]): Promise<void> {
  const byChart = new Map<string, string[]>();
  for (const [chart, version, bytes] of archives) {
    byChart.set(chart, [...(byChart.get(chart) ?? []), indexEntry(chart, version, bytes)]);
    await writeFile(join(root, `${chart}-${version}.tgz`), bytes);
  }
  let index = "apiVersion: v1\nentries:\n";
  for (const [chart, entries] of byChart) index += `  ${chart}:\n${entries.join("")}`;
  await writeFile(join(root, "index.yaml"), index);
}

/** The archives versions reference: stored by a live version, or the published digest of one waiting for it. */
async function referencedArchives(): Promise<string[]> {
  const { rows } = await sql.query<{ sha256: string }>(
    `SELECT archive_sha256 AS sha256 FROM chart_versions WHERE archive_sha256 IS NOT NULL AND state <> 'removed'
     UNION SELECT digest FROM chart_versions WHERE state = 'discovered' AND digest IS NOT NULL`,
  );
  return rows.map((r) => r.sha256).sort();
}

async function storedArchives(): Promise<string[]> {
  return (await store.list()).map((a) => a.sha256).sort();
}

async function schedulerMetric(name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${charthouse.ports.get("scheduler")}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.split(" ").pop());
}

/** Resolves once the chart-downloader has no message left to work on or waiting for an ack. */
async function downloadsIdle(): Promise<void> {
  const jsm = await nats.jetstreamManager();
  await waitFor(
    async () => {
      const info = await jsm.consumers.info("CHARTHOUSE_DOWNLOADS", "chart-downloader").catch(() => null);
      return info !== null && info.num_pending === 0 && info.num_ack_pending === 0;
    },
    { what: "every download request to be worked off", timeoutMs: 90_000, intervalMs: 250 },
  );
}

const shared: Archive[] = [];
const alpha: Archive[] = [];
const beta: Archive[] = [];
let alphaRoot: string;
let betaRoot: string;
let betaId: string;

beforeAll(async () => {
  for (let i = 0; i < 6; i++) shared.push(["shared", `1.0.${i}`, await paddedChart("shared", `1.0.${i}`)]);
  for (let i = 0; i < 40; i++) alpha.push(["alpha", `1.0.${i}`, await paddedChart("alpha", `1.0.${i}`)]);
  for (let i = 0; i < 4; i++) beta.push(["beta", `1.0.${i}`, await paddedChart("beta", `1.0.${i}`)]);
  alphaRoot = await makeTempDir("charthouse-alpha-");
  betaRoot = await makeTempDir("charthouse-beta-");
  await writeRepository(alphaRoot, [...shared, ...alpha]);
  await writeRepository(betaRoot, [...shared, ...beta]);
  // The registry to be deleted serves its archives at 4 KiB/s: about 4 s each, 8 at a time.
  servers.push(await startNginx({ root: alphaRoot, extraConfig: "location ~ \\.tgz$ { limit_rate 4k; }" }));
  servers.push(await startNginx({ root: betaRoot }));
  charthouse = await startCharthouse({ env: sweepEnv });
  nats = await connect({ servers: charthouse.natsUrl });
  store = await ArchiveStore.open(nats.jetstream(), archiveBucket);
  sql = new pg.Client({ connectionString: charthouse.databaseUrl });
  await sql.connect();
});

afterAll(async () => {
  await sql?.end();
  await nats?.close();
  await charthouse?.stop();
  for (const server of servers) await server.stop();
});

describe("storage lifecycle", () => {
  it("collects the archives of a registry deleted mid-download and keeps every archive another registry shares", async () => {
    const [alphaServer, betaServer] = servers as [NginxServer, NginxServer];
    betaId = await addRegistry(charthouse, "beta", betaServer.url);
    await registrySettled(charthouse, betaId, "beta's first sync");

    const alphaId = await addRegistry(charthouse, "alpha", alphaServer.url);
    // Some of alpha's own archives are stored, more are being downloaded.
    await waitFor(
      async () => {
        const { rows } = await sql.query<{ stored: number; waiting: number }>(
          `SELECT count(*) FILTER (WHERE v.archive_sha256 IS NOT NULL)::int AS stored,
                  count(*) FILTER (WHERE v.state = 'discovered')::int AS waiting
             FROM chart_versions v JOIN charts c ON c.id = v.chart_id
            WHERE v.registry_id = $1 AND c.name = 'alpha'`,
          [alphaId],
        );
        return (rows[0]?.stored ?? 0) >= 3 && (rows[0]?.waiting ?? 0) >= 10;
      },
      { what: "alpha to be part-way through its downloads", timeoutMs: 60_000, intervalMs: 100 },
    );
    const deleted = await charthouse.api("DELETE", `/registries/${alphaId}`);
    expect(deleted.status).toBe(204);

    // The downloads in flight finish (and store archives nobody wants); then the sweep collects them.
    await downloadsIdle();
    const alphaDigests = new Set(alpha.map(([, , bytes]) => sha256Hex(bytes)));
    await waitFor(
      async () => {
        const stored = await storedArchives();
        return stored.every((sha) => !alphaDigests.has(sha)) && JSON.stringify(stored) === JSON.stringify(await referencedArchives());
      },
      { what: "every archive nothing references to be collected", timeoutMs: 30_000, intervalMs: 250 },
    );
    const stored = await storedArchives();
    const betaDigests = [...shared, ...beta].map(([, , bytes]) => sha256Hex(bytes)).sort();
    expect(stored).toEqual(betaDigests);
    expect(await schedulerMetric("charthouse_archives_collected_total")).toBeGreaterThanOrEqual(3);
    expect(await schedulerMetric("charthouse_archive_bytes_collected_total")).toBeGreaterThan(3 * 16 * 1024);
    await waitFor(async () => (await schedulerMetric("charthouse_archive_store_objects")) === betaDigests.length, {
      what: "the store's object gauge to count beta's archives",
      timeoutMs: 10_000,
      intervalMs: 250,
    });

    // beta is untouched: every version ready with its archive byte-identical, and it syncs again cleanly.
    const [sharedChart, sharedVersion, sharedBytes] = shared[0]!;
    const archive = await fetch(`${charthouse.apiUrl}/api/v1${versionPath(betaId, sharedChart, sharedVersion)}/archive`, {
      headers: { authorization: `Bearer ${charthouse.token}` },
    });
    expect(archive.status).toBe(200);
    expect(Buffer.from(await archive.arrayBuffer()).equals(sharedBytes)).toBe(true);
    const synced = await charthouse.api("POST", `/registries/${betaId}/sync`);
    expect(synced.status).toBeLessThan(300);
    const after = await registrySettled(charthouse, betaId, "beta's sync after the sweep");
    expect(after.status).toMatchObject({ state: "ok", last_error: null, versions: 10, versions_ready: 10, versions_failed: 0 });
  });

  it("collects the archive of a removed version and of a re-published digest, and purges the tombstone", async () => {
    const [removedChart, removedVersion, removedBytes] = beta[0]!;
    const [republishedChart, republishedVersion, oldBytes] = beta[1]!;
    const newBytes = await paddedChart(republishedChart, republishedVersion);
    await writeRepository(betaRoot, [...shared, [republishedChart, republishedVersion, newBytes], ...beta.slice(2)]);
    const synced = await charthouse.api("POST", `/registries/${betaId}/sync`);
    expect(synced.status).toBeLessThan(300);
    const settled = (r: { status: { versions: number; versions_ready: number } }): boolean =>
      r.status.versions === 9 && r.status.versions_ready === 9;
    await registryWhen(charthouse, betaId, settled, "beta to drop one version and re-fetch another");

    const gone = [sha256Hex(removedBytes), sha256Hex(oldBytes)];
    await waitFor(
      async () => {
        const stored = await storedArchives();
        return gone.every((sha) => !stored.includes(sha)) && stored.includes(sha256Hex(newBytes));
      },
      { what: "the removed and the re-published archives to be collected", timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(await storedArchives()).toEqual(await referencedArchives());
    await waitFor(
      async () =>
        (
          await sql.query(
            "SELECT 1 FROM chart_versions v JOIN charts c ON c.id = v.chart_id WHERE v.registry_id = $1 AND c.name = $2 AND v.version = $3",
            [betaId, removedChart, removedVersion],
          )
        ).rowCount === 0,
      { what: "the removed version's tombstone to be purged", timeoutMs: 15_000, intervalMs: 250 },
    );
    expect(await schedulerMetric("charthouse_tombstones_purged_total")).toBeGreaterThanOrEqual(1);
    expect(charthouse.logs()).toMatch(/"msg":"Storage sweep done"/);
  });
});
