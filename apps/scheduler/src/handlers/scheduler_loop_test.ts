import { randomUUID } from "node:crypto";
import type { StuckVersion } from "@charthouse/catalog";
import type { RequestedSync } from "@charthouse/db";
import { waitFor } from "@charthouse/testing";
import { describe, expect, it } from "vitest";
import { RecordingPublisher } from "@charthouse/testing";
import { startSchedulerLoop, type SchedulerLoopDependencies, type SchedulerLoopOptions } from "./scheduler_loop.ts";

function requestOf(kind: RequestedSync["kind"]): RequestedSync {
  return { registryId: randomUUID(), kind, syncRunId: randomUUID(), trigger: "schedule", requestedAt: new Date().toISOString() };
}

/** One log line as the loop wrote it. */
interface LogLine {
  level: string;
  fields: unknown;
  msg: string | undefined;
}

/**
 * The loop over in-memory fakes: `due` registries that claimDue hands out (each once), stalled
 * syncs and stuck versions that the recovery pass finds once, a recording publisher and log.
 */
function fakes(state: { due?: RequestedSync[]; stalled?: RequestedSync[]; stuck?: StuckVersion[] } = {}) {
  const due = [...(state.due ?? [])];
  const calls = { claimDue: [] as number[], findStalled: [] as unknown[], claimStuck: [] as unknown[] };
  const lines: LogLine[] = [];
  const line =
    (level: string) =>
    (fields: unknown, msg?: string): void => {
      lines.push({ level, fields, msg });
    };
  const publisher = new RecordingPublisher();
  const deps: SchedulerLoopDependencies = {
    syncRuns: {
      claimDue: (limit) => {
        calls.claimDue.push(limit);
        return Promise.resolve(due.splice(0, limit));
      },
      findStalled: (options) => {
        calls.findStalled.push(options);
        return Promise.resolve((state.stalled ?? []).splice(0));
      },
    },
    versions: {
      claimStuck: (options) => {
        calls.claimStuck.push(options);
        return Promise.resolve((state.stuck ?? []).splice(0));
      },
      reopen: () => Promise.resolve([]),
      reopenRetryable: () => Promise.resolve([]),
    },
    publisher,
    log: { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") },
  };
  return { deps, calls, lines, publisher, due };
}

const options: SchedulerLoopOptions = {
  tickMs: 5,
  batch: 2,
  republishAfterSeconds: 300,
  abandonAfterSeconds: 3_600,
  recoveryIntervalMs: 60_000,
  recovery: { stuckAfterSeconds: 900, failedRetryAfterSeconds: 21_600 },
};

describe("startSchedulerLoop()", () => {
  it("claims every due registry in batches and publishes each sync request to the fetcher of its kind", async () => {
    const http = [requestOf("http_registry"), requestOf("http_registry")];
    const oci = requestOf("oci_registry");
    const { deps, calls, lines, publisher } = fakes({ due: [...http, oci] });
    const loop = startSchedulerLoop(deps, options);
    await waitFor(() => publisher.published.length === 3, { what: "three sync requests", timeoutMs: 5_000, intervalMs: 5 });
    await loop.stop();
    // One tick: a full batch, then the rest (fewer than a batch, so the tick ends).
    expect(calls.claimDue.slice(0, 2)).toEqual([2, 2]);
    expect(publisher.published.map((m) => [m.subject, m.messageId])).toEqual([
      ["sync.requested.http.v1", `${http[0]?.registryId}:${http[0]?.syncRunId}`],
      ["sync.requested.http.v1", `${http[1]?.registryId}:${http[1]?.syncRunId}`],
      ["sync.requested.oci.v1", `${oci.registryId}:${oci.syncRunId}`],
    ]);
    expect(publisher.published[2]?.payload).toEqual({
      registryId: oci.registryId,
      syncRunId: oci.syncRunId,
      trigger: "schedule",
      requestedAt: oci.requestedAt,
    });
    expect(lines.filter((l) => l.msg === "Published scheduled syncs").map((l) => l.fields)).toEqual([{ count: 2 }, { count: 1 }]);
  });

  it("publishes nothing while no registry is due, and keeps claiming every tick", async () => {
    const { deps, calls, lines, publisher } = fakes();
    const loop = startSchedulerLoop(deps, options);
    await waitFor(() => calls.claimDue.length >= 3, { what: "three ticks", timeoutMs: 5_000, intervalMs: 5 });
    await loop.stop();
    expect(publisher.published).toEqual([]);
    expect(lines.filter((l) => l.level !== "debug")).toEqual([]);
  });

  it("logs a tick whose publish fails and goes on, and the recovery pass publishes the lost sync again", async () => {
    const lost = requestOf("http_registry");
    const stalled: RequestedSync[] = [];
    const { deps, lines, publisher } = fakes({ due: [lost], stalled });
    publisher.failing = true;
    const loop = startSchedulerLoop(deps, { ...options, recoveryIntervalMs: 0 });
    await waitFor(() => lines.some((l) => l.level === "error"), { what: "the failed tick", timeoutMs: 5_000, intervalMs: 5 });
    publisher.failing = false;
    stalled.push(lost);
    await waitFor(() => publisher.published.length === 1, { what: "the stalled sync", timeoutMs: 5_000, intervalMs: 5 });
    await loop.stop();
    expect(lines.find((l) => l.level === "error")).toEqual({
      level: "error",
      fields: { error: "Cannot publish sync.requested.http.v1" },
      msg: "Scheduler tick failed; trying again next tick",
    });
    expect(publisher.published.map((m) => m.messageId)).toEqual([`${lost.registryId}:${lost.syncRunId}`]);
    expect(lines.filter((l) => l.msg === "Published stalled syncs again").map((l) => l.fields)).toEqual([{ count: 1 }]);
  });

  it("looks for stalled syncs and stuck versions once per recovery interval, not every tick", async () => {
    const stuck: StuckVersion = {
      id: randomUUID(),
      registryId: randomUUID(),
      state: "downloaded",
      chart: "web",
      version: "1.0.0",
      digest: "a".repeat(64),
      downloadUrl: "http://charts.example/web-1.0.0.tgz",
      requeues: 0,
      archiveSha256: "a".repeat(64),
      size: 10,
    };
    const { deps, calls, lines, publisher } = fakes({ stuck: [stuck] });
    const loop = startSchedulerLoop(deps, options);
    await waitFor(() => calls.claimDue.length >= 5, { what: "five ticks", timeoutMs: 5_000, intervalMs: 5 });
    await loop.stop();
    expect(calls.findStalled).toEqual([expect.objectContaining({ republishAfterSeconds: 300, abandonAfterSeconds: 3_600 })]);
    expect(calls.claimStuck).toEqual([{ olderThanSeconds: 900, limit: 2 }]);
    expect(publisher.published.map((m) => m.subject)).toEqual(["chart.downloaded.v1"]);
    expect(lines.filter((l) => l.level === "warn")).toEqual([
      { level: "warn", fields: { count: 1 }, msg: "Published the next step of stuck versions again" },
    ]);
  });

  it("stops at once, without waiting for the next tick, whether it is pausing or in the middle of a tick", async () => {
    for (const stopWhen of ["pausing", "ticking"] as const) {
      const { deps, calls } = fakes();
      let findingStalled: () => void = () => undefined;
      const midTick = new Promise<void>((resolve) => (findingStalled = resolve));
      const findStalled = deps.syncRuns.findStalled;
      deps.syncRuns.findStalled = async (stalledOptions) => {
        findingStalled();
        // Still in the tick when stop() is called.
        await new Promise((resolve) => setTimeout(resolve, 20));
        return await findStalled(stalledOptions);
      };
      const loop = startSchedulerLoop(deps, { ...options, tickMs: 60_000 });
      await midTick;
      if (stopWhen === "pausing") await waitFor(() => calls.claimStuck.length === 1, { what: "the end of the first tick", timeoutMs: 5_000, intervalMs: 5 });
      const started = Date.now();
      await loop.stop();
      expect(Date.now() - started, stopWhen).toBeLessThan(1_000);
      expect(calls.claimDue).toHaveLength(1);
    }
  });
});
