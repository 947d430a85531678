import { describe, expect, it } from "vitest";
import type { SyncRunPruning, SyncRunRetention } from "@charthouse/db";
import { Registry } from "prom-client";
import { waitFor } from "@charthouse/testing";
import { pruneSyncHistory, startSyncRunPrune, syncRunPruneMetrics, type PrunableSyncRuns } from "./sync_run_prune.ts";

interface LogLine {
  level: string;
  fields: Record<string, unknown>;
  msg: string | undefined;
}

type LogAt = (fields: Record<string, unknown>, msg?: string) => void;

/** A logger that keeps its lines. */
function recordingLog(): { lines: LogLine[]; debug: LogAt; info: LogAt; error: LogAt } {
  const lines: LogLine[] = [];
  const at =
    (level: string): LogAt =>
    (fields, msg) =>
      lines.push({ level, fields, msg });
  return { lines, debug: at("debug"), info: at("info"), error: at("error") };
}

/** The store as a fake: answers `answers` in turn (the last one forever), an Error answer is thrown; remembers each call. */
function fakeSyncRuns(answers: (SyncRunPruning | Error)[]): PrunableSyncRuns & { calls: SyncRunRetention[] } {
  const fake = {
    calls: [] as SyncRunRetention[],
    prune: async (retention: SyncRunRetention) => {
      fake.calls.push(retention);
      const answer = answers.length > 1 ? answers.shift() : answers[0];
      await Promise.resolve();
      if (answer instanceof Error) throw answer;
      if (!answer) throw new Error("The fake has no answer");
      return answer;
    },
  };
  return fake;
}

const retention = { retentionDays: 7, keep: 100 };

describe("pruneSyncHistory()", () => {
  it("prunes with the configured retention, logs the count deleted and counts it on /metrics", async () => {
    const syncRuns = fakeSyncRuns([{ deleted: 12_345, busy: false }]);
    const log = recordingLog();
    const registry = new Registry();

    const result = await pruneSyncHistory(syncRuns, { ...retention, log, metrics: syncRunPruneMetrics(registry) });

    expect(result).toEqual({ deleted: 12_345, busy: false });
    expect(syncRuns.calls).toEqual([{ retentionDays: 7, keep: 100 }]);
    expect(log.lines).toEqual([{ level: "info", msg: "Pruned old sync runs", fields: { deleted: 12_345, ms: expect.any(Number) as unknown } }]);
    expect(await registry.metrics()).toContain("charthouse_sync_runs_pruned_total 12345");
  });

  it("logs at debug only when nothing was deleted or another scheduler was pruning", async () => {
    const log = recordingLog();
    await pruneSyncHistory(fakeSyncRuns([{ deleted: 0, busy: false }]), { ...retention, log });
    await pruneSyncHistory(fakeSyncRuns([{ deleted: 0, busy: true }]), { ...retention, log });
    expect(log.lines.map((line) => [line.level, line.msg])).toEqual([
      ["debug", "No sync runs to prune"],
      ["debug", "Sync runs not pruned: another scheduler is pruning them"],
    ]);
  });
});

describe("startSyncRunPrune()", () => {
  it("prunes every interval and goes on after a failed pruning", async () => {
    const syncRuns = fakeSyncRuns([new Error("Postgres is unavailable"), { deleted: 3, busy: false }]);
    const log = recordingLog();
    const prune = startSyncRunPrune(syncRuns, { ...retention, intervalMs: 5, log });
    await waitFor(() => log.lines.some((line) => line.level === "info"), { what: "a pruning after the failed one", timeoutMs: 5_000, intervalMs: 5 });
    await prune.stop();
    expect(log.lines[0]).toMatchObject({ level: "error", msg: "Pruning sync runs failed; trying again next interval" });
    expect(log.lines[0]?.fields["err"]).toBeInstanceOf(Error);
    expect(log.lines[1]).toMatchObject({ level: "info", fields: { deleted: 3 } });
  });

  it("waits one interval before the first pruning, and stop() aborts a pruning under way and waits for it", async () => {
    let signalOfRun: AbortSignal | undefined;
    let release: (() => void) | undefined;
    const syncRuns: PrunableSyncRuns = {
      prune: async (_retention, signal) => {
        signalOfRun = signal;
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return { deleted: 1, busy: false };
      },
    };
    const log = recordingLog();
    const idle = startSyncRunPrune(syncRuns, { ...retention, intervalMs: 60_000, log });
    const started = Date.now();
    await idle.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(signalOfRun).toBeUndefined();

    const busy = startSyncRunPrune(syncRuns, { ...retention, intervalMs: 5, log });
    await waitFor(() => signalOfRun !== undefined, { what: "a pruning under way", timeoutMs: 5_000, intervalMs: 5 });
    let stopped = false;
    const stopping = busy.stop().then(() => {
      stopped = true;
    });
    await Promise.resolve();
    expect(signalOfRun?.aborted).toBe(true);
    expect(stopped).toBe(false);
    release?.();
    await stopping;
    expect(log.lines).toEqual([{ level: "info", msg: "Pruned old sync runs", fields: { deleted: 1, ms: expect.any(Number) as unknown } }]);
  });
});
