import { readFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { connect, type NatsConnection } from "nats";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archiveBucket, chartDownloadRequested, type ChartDownloadRequested } from "@charthouse/contracts";
import { ArchiveStore, Publisher } from "@charthouse/messaging";
import { workspaceRoot } from "@charthouse/stack";
import { chartYaml, craftTgz, sha256Hex } from "./support/crafted_archives.ts";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";

// A burst: 50,000 download requests queued at once (published straight into JetStream for
// versions written straight into Postgres, their archives already in the store). Every service
// process is sampled (VmRSS) while the stack works through it; each must stay under 400 MB, below
// the smallest memory limit of the Helm chart (scheduler, 384 MiB). Peaks are written to
// .cache/test-results/burst.json. Observed for 15 s once the last request is queued.
const requests = 50_000;
const registries = 50;
const archives = 50;
const ceilingBytes = 400 * 1000 * 1000;
const observeMs = 15_000;

let charthouse: CharthouseUnderTest;
let nats: NatsConnection;
let sql: pg.Client;

beforeAll(async () => {
  charthouse = await startCharthouse();
  nats = await connect({ servers: charthouse.natsUrl });
  sql = new pg.Client({ connectionString: charthouse.databaseUrl });
  await sql.connect();
});

afterAll(async () => {
  await sql?.end();
  await nats?.close();
  await charthouse?.stop();
});

/** The resident set size of a process in bytes (VmRSS of /proc/PID/status), or null once it is gone. */
async function residentBytes(pid: number): Promise<number | null> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => null);
  const kb = status?.match(/^VmRSS:\s+(\d+)\s+kB$/m)?.[1];
  return kb === undefined ? null : Number(kb) * 1024;
}

/**
 * `registries` registries (never scheduled) of one chart with requests / registries versions each,
 * all `discovered`, each published digest one of the stored archives; returns their download
 * requests, interleaved so that neighbours differ in registry and in archive.
 */
async function seedVersions(digests: readonly string[]): Promise<ChartDownloadRequested[]> {
  const perRegistry = requests / registries;
  await sql.query("BEGIN");
  await sql.query(
    `WITH org AS (SELECT id FROM organizations WHERE name = 'default'),
     regs AS (
       INSERT INTO registries (organization_id, name, url, kind, sync_interval_seconds, next_sync_at, state)
       SELECT org.id, format('burst-%s', r), format('http://127.0.0.1:9/burst-%s', r), 'http_registry', 0, NULL, 'ok'
         FROM org, generate_series(0, $1::int - 1) AS r
       RETURNING id, name
     )
     INSERT INTO charts (registry_id, name, versions) SELECT id, 'burst', $2::int FROM regs`,
    [registries, perRegistry],
  );
  await sql.query(
    `INSERT INTO chart_versions (chart_id, registry_id, version, digest, state, urls)
     SELECT c.id, c.registry_id, format('1.0.%s', i), ($1::text[])[((substring(r.name from 7)::int + i) % $2::int) + 1], 'discovered',
            ARRAY[format('%s/burst-1.0.%s.tgz', r.url, i)]
       FROM charts c JOIN registries r ON r.id = c.registry_id
       CROSS JOIN generate_series(0, $3::int - 1) AS i
      WHERE r.name LIKE 'burst-%'`,
    [digests, archives, perRegistry],
  );
  await sql.query("COMMIT");
  const { rows } = await sql.query<{ id: string; registry_id: string; version: string; digest: string; url: string }>(
    `SELECT v.id, v.registry_id, v.version, v.digest, v.urls[1] AS url
       FROM chart_versions v JOIN registries r ON r.id = v.registry_id
      WHERE r.name LIKE 'burst-%'
      ORDER BY substring(v.version from 5)::int, substring(r.name from 7)::int`,
  );
  return rows.map((row) => ({
    registryId: row.registry_id,
    versionId: row.id,
    chart: "burst",
    version: row.version,
    url: row.url,
    expectedDigest: row.digest,
    round: 0,
  }));
}

describe("a burst of 50,000 download requests", () => {
  it("keeps every service process under its memory ceiling while the stack works through it", async () => {
    const store = await ArchiveStore.open(nats.jetstream(), archiveBucket);
    const digests: string[] = [];
    for (let i = 0; i < archives; i++) {
      const bytes = await craftTgz([
        { name: "burst/Chart.yaml", content: chartYaml("burst", `1.0.${i}`) },
        { name: "burst/values.yaml", content: `archive: ${i}\n` },
        { name: "burst/README.md", content: `# burst ${i}\n${"Some text. ".repeat(200)}\n` },
      ]);
      const sha256 = sha256Hex(bytes);
      await store.put(sha256, bytes);
      digests.push(sha256);
    }
    const payloads = await seedVersions(digests);
    expect(payloads).toHaveLength(requests);

    const peaks = new Map<string, number>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const p of charthouse.stack.processes) {
          const pid = p.child.pid;
          const bytes = pid === undefined ? null : await residentBytes(pid);
          const name = `${p.service}#${p.copy}`;
          if (bytes !== null && bytes > (peaks.get(name) ?? 0)) peaks.set(name, bytes);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();

    const started = Date.now();
    const published = await new Publisher(nats.jetstream()).publishMany(chartDownloadRequested, payloads, { window: 4_096 });
    const publishMs = Date.now() - started;
    expect(published).toBe(requests);
    // Observe the stack working through the queued burst for a fixed window (or until it is done).
    const states = async (): Promise<Record<string, number>> => {
      const { rows } = await sql.query<{ state: string; n: number }>("SELECT state, count(*)::int AS n FROM chart_versions GROUP BY state");
      return Object.fromEntries(rows.map((row) => [row.state, row.n]));
    };
    let byState = await states();
    while (Date.now() - started < publishMs + observeMs && (byState["ready"] ?? 0) < requests) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      byState = await states();
    }
    sampling = false;
    await sampler;
    const ready = byState["ready"] ?? 0;
    // The queue is JetStream's: the downloader holds only the few messages it works on.
    const downloader = await (await nats.jetstreamManager()).consumers.info(chartDownloadRequested.stream, "chart-downloader");

    const figures = {
      requests,
      publishMs,
      observedMs: Date.now() - started,
      versionsByState: byState,
      downloadQueue: { pending: downloader.num_pending, ackPending: downloader.num_ack_pending, redelivered: downloader.num_redelivered },
      peakRssMb: Object.fromEntries([...peaks].map(([name, bytes]) => [name, Math.round(bytes / 1e6)])),
    };
    const folder = join(workspaceRoot, ".cache", "test-results");
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, "burst.json"), `${JSON.stringify(figures, null, 2)}\n`);

    // Every service was sampled, none exited, and each stayed under the ceiling.
    expect(peaks.size).toBe(charthouse.stack.processes.length);
    for (const p of charthouse.stack.processes) expect(p.child.exitCode, `${p.service} exited`).toBeNull();
    for (const [name, bytes] of peaks) expect(bytes, `${name} peaked at ${Math.round(bytes / 1e6)} MB`).toBeLessThan(ceilingBytes);
    // The burst was really being worked through, not parked.
    expect(ready, JSON.stringify(figures)).toBeGreaterThan(500);
    const health = await fetch(`${charthouse.apiUrl}/readyz`);
    expect(health.status).toBe(200);
  });
});
