import { randomUUID } from "node:crypto";
import { syncRequestedHttp, type SyncRequested } from "@charthouse/contracts";
import { DeferredError, type StoredError } from "@charthouse/errors";
import { createLogger } from "@charthouse/logging";
import { describe, expect, it } from "vitest";
import { leasedSyncHandler, type SyncAttemptOutcome } from "./leased_sync_handler.ts";
import { RecordingPublisher } from "@charthouse/testing";
import type { LeaseAttempt, LeasedSync, SyncResult, SyncRunStore } from "./sync_run.ts";

const registry: LeasedSync["registry"] = {
  id: randomUUID(),
  organizationId: randomUUID(),
  name: "my-charts",
  url: "https://charts.example.test",
  kind: "http_registry",
  etag: null,
  lastModified: null,
  contentHash: null,
  credential: null,
};

/** Sync runs in memory that answer every lease with `attempt`. */
class MemorySyncRuns implements SyncRunStore {
  readonly finished: SyncResult[] = [];
  readonly retries: StoredError[] = [];
  constructor(readonly attempt: LeaseAttempt) {}
  lease(): Promise<LeaseAttempt> {
    return Promise.resolve(this.attempt);
  }
  renewLease(): Promise<void> {
    return Promise.resolve();
  }
  finish(_id: string, result: SyncResult): Promise<void> {
    this.finished.push(result);
    return Promise.resolve();
  }
  recordRetry(_id: string, error: StoredError): Promise<void> {
    this.retries.push(error);
    return Promise.resolve();
  }
  fail(): Promise<{ organizationId: string; registryId: string }> {
    return Promise.resolve({ organizationId: registry.organizationId, registryId: registry.id });
  }
}

function setUp(attempt: LeaseAttempt) {
  const syncRuns = new MemorySyncRuns(attempt);
  const publisher = new RecordingPublisher();
  const recorded: SyncAttemptOutcome[] = [];
  const synced: string[] = [];
  const handler = leasedSyncHandler(
    { syncRuns, publisher },
    {
      contract: syncRequestedHttp,
      async record(run) {
        recorded.push(await run());
      },
      sync(started) {
        synced.push(started.leased.syncRunId);
        return Promise.resolve("updated");
      },
    },
  );
  const payload: SyncRequested = { registryId: registry.id, syncRunId: randomUUID(), trigger: "manual", requestedAt: new Date().toISOString() };
  const context = { log: createLogger("test", { level: "silent" }), working: () => undefined };
  return { handler, payload, context, publisher, recorded, synced, syncRuns };
}

describe("leasedSyncHandler()", () => {
  it("runs the fetcher's sync under the lease, announces its start and records its outcome", async () => {
    const syncRunId = randomUUID();
    const t = setUp({ kind: "leased", sync: { syncRunId, attempts: 1, registry } });
    await t.handler.handle(t.payload, t.context);
    expect(t.synced).toEqual([syncRunId]);
    expect(t.recorded).toEqual(["updated"]);
    expect(t.publisher.published.map((m) => m.subject)).toEqual(["registry.sync.started.v1"]);
    expect(t.handler.contract).toBe(syncRequestedHttp);
  });

  it("leaves a scheduled sync's start to the sync itself (announced before changes or after a grace period)", async () => {
    const t = setUp({ kind: "leased", sync: { syncRunId: randomUUID(), attempts: 1, registry } });
    await t.handler.handle({ ...t.payload, trigger: "schedule" }, t.context);
    expect(t.recorded).toEqual(["updated"]);
    expect(t.publisher.published).toEqual([]);
  });

  it("skips a finished sync without recording an attempt", async () => {
    const t = setUp({ kind: "done" });
    await t.handler.handle(t.payload, t.context);
    expect(t.synced).toEqual([]);
    expect(t.recorded).toEqual([undefined]);
    expect(t.publisher.published).toEqual([]);
  });

  it("defers a sync another copy is running until its lease would run out", async () => {
    const t = setUp({ kind: "held", retryAfterMs: 12_000 });
    const error = await t.handler.handle(t.payload, t.context).then(
      () => expect.unreachable(),
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(DeferredError);
    expect((error as DeferredError).retryAfterMs).toBe(12_000);
    expect(t.synced).toEqual([]);
  });

  it("shows a failure to be retried on the sync run", async () => {
    const t = setUp({ kind: "done" });
    await t.handler.onRetry(t.payload, new Error("boom"));
    expect(t.syncRuns.retries).toEqual([expect.objectContaining({ code: "internal", message: "boom" })]);
  });
});
