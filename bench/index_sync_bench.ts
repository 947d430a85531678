/**
 * Cold and unchanged sync of the 17.9 MB, 17,769-version index made by merging every real index
 * in shared/data/indexes, beside `helm repo update` on the same file served by the same nginx.
 * Prints one table; run with `npm run bench`.
 */
import { execFile } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { helmBinary, helmEnvironment, makeHelmHome, makeTempDir, runHelm, startNginx, waitFor } from "@charthouse/testing";
import { startCharthouse } from "../test/support/running_charthouse.ts";
import { mergeIndexes } from "./merge_indexes.ts";

const run = promisify(execFile);
const dataDir = new URL("../../shared/data/indexes/", import.meta.url).pathname;

interface SyncRun {
  id: string;
  outcome: string | null;
  duration_ms: number | null;
  finished_at: string | null;
  versions_added: number | null;
  http_status: number | null;
}

/** Peak resident memory of a process so far, in MB (VmHWM). */
async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function timeHelm(args: string[], home: string): Promise<{ seconds: number; peakMb: number }> {
  const helm = await helmBinary();
  const { stderr } = await run("/usr/bin/time", ["-f", "%e %M", helm, ...args], { env: helmEnvironment(home), maxBuffer: 64 << 20 });
  const [seconds, kb] = stderr.trim().split("\n").pop()!.split(" ").map(Number);
  return { seconds: seconds!, peakMb: kb! / 1024 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const files = (await readdir(dataDir)).filter((f) => f.endsWith(".yaml")).sort();
const merged = mergeIndexes(files.map((f) => join(dataDir, f)));
const root = await makeTempDir("charthouse-bench-");
await writeFile(join(root, "index.yaml"), merged);
const nginx = await startNginx({ root, gzip: true });
const plain = await startNginx({ root, validators: false });

// helm: add the repository once, then time `helm repo update` (downloads and loads the index).
const helmHome = await makeHelmHome();
await runHelm(["repo", "add", "bench", nginx.url], { home: helmHome });
const helmUpdate = await timeHelm(["repo", "update", "bench"], helmHome);

// Charthouse: registry-api and index-fetcher only, so the measured sync ends when every version
// is stored and its download request queued (no downloader competes for the 2 cores).
const charthouse = await startCharthouse({ only: ["registry-api", "index-fetcher"] }).catch(async (err: unknown) => {
  await nginx.stop();
  await plain.stop();
  throw err;
});
try {
  const fetcher = charthouse.stack.processes.find((p) => p.service === "index-fetcher")!;
  const idleMb = await peakRssMb(fetcher.child.pid!);
  const syncOf = async (registryId: string, syncId?: string): Promise<SyncRun> =>
    await waitFor(
      async () => {
        const runs = (await charthouse.api<{ items: SyncRun[] }>("GET", `/registries/${registryId}/syncs`)).body.items;
        const found = syncId ? runs.find((r) => r.id === syncId) : runs[runs.length - 1];
        return found?.finished_at ? found : false;
      },
      { what: "the sync to finish", timeoutMs: 300_000, intervalMs: 100 },
    );
  const created = await charthouse.api<{ id: string }>("POST", "/registries", { name: "bench", url: nginx.url, sync_interval_seconds: 0 });
  const cold = await syncOf(created.body.id);
  const coldPeakMb = await peakRssMb(fetcher.child.pid!);

  const resyncs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const { body } = await charthouse.api<{ sync_id: string }>("POST", `/registries/${created.body.id}/sync`);
    const resync = await syncOf(created.body.id, body.sync_id);
    if (resync.outcome !== "unchanged" || resync.http_status !== 304) throw new Error(`Expected a 304, got ${JSON.stringify(resync)}`);
    resyncs.push(resync.duration_ms ?? NaN);
  }

  const plainRegistry = await charthouse.api<{ id: string }>("POST", "/registries", { name: "bench-plain", url: plain.url, sync_interval_seconds: 0 });
  await syncOf(plainRegistry.body.id);
  const hashResyncs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const { body } = await charthouse.api<{ sync_id: string }>("POST", `/registries/${plainRegistry.body.id}/sync`);
    const resync = await syncOf(plainRegistry.body.id, body.sync_id);
    if (resync.outcome !== "unchanged") throw new Error(`Expected unchanged, got ${JSON.stringify(resync)}`);
    hashResyncs.push(resync.duration_ms ?? NaN);
  }

  const coldSeconds = (cold.duration_ms ?? NaN) / 1000;
  const lines = [
    `Index: ${files.length} real indexes merged, ${(Buffer.byteLength(merged) / 1e6).toFixed(1)} MB; ${cold.versions_added} versions stored and their downloads queued (duplicate chart versions are kept once)`,
    "",
    "| measure | Charthouse | helm repo update | Charthouse / helm |",
    "| --- | --- | --- | --- |",
    `| cold sync time (s) | ${coldSeconds.toFixed(2)} | ${helmUpdate.seconds.toFixed(2)} | ${(coldSeconds / helmUpdate.seconds).toFixed(2)} |`,
    `| peak memory, whole process (MB) | ${coldPeakMb.toFixed(0)} | ${helmUpdate.peakMb.toFixed(0)} | ${(coldPeakMb / helmUpdate.peakMb).toFixed(2)} |`,
    `| of which the sync itself, peak less idle service (MB) | ${(coldPeakMb - idleMb).toFixed(0)} (idle ${idleMb.toFixed(0)}) | - | - |`,
    `| unchanged re-sync, 304 (ms, median of 5) | ${median(resyncs).toFixed(1)} | - | target < 20 ms: ${(median(resyncs) / 20).toFixed(2)} of it |`,
    `| unchanged re-sync, content hash, no validators (ms, median of 5) | ${median(hashResyncs).toFixed(1)} | - | - |`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  // The index-fetcher's own account of each full sync: versions, and milliseconds per phase.
  for (const line of charthouse.logs().split("\n").filter((l) => l.includes("Index synced"))) {
    const { versions, phasesMs } = JSON.parse(line) as { versions: number; phasesMs: Record<string, number> };
    process.stdout.write(`index-fetcher phases for ${versions} versions (ms): ${JSON.stringify(phasesMs)}\n`);
  }
} finally {
  await charthouse.stop();
  await nginx.stop();
  await plain.stop();
}
