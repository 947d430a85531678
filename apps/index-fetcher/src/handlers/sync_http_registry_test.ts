import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import type { LeaseAttempt, PendingVersion, StoredVersion, SyncResult, SyncRunStore, VersionChangeSlice, IndexedChart } from "@charthouse/catalog";
import { Slots } from "@charthouse/concurrency";
import type { SyncRequested } from "@charthouse/contracts";
import type { SealedCredential } from "@charthouse/db";
import type { StoredError } from "@charthouse/errors";
import type { DeliveryContext } from "@charthouse/messaging";
import { indexContentHash, type FetchedIndex } from "@charthouse/registry-http";
import type { SyncOutcome } from "@charthouse/service-runtime";
import { RecordingPublisher } from "@charthouse/testing";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { IndexFetchRecorder } from "./index_fetch_metrics.ts";
import type { IndexedRegistry, IndexSource } from "./index_source.ts";
import { syncHttpRegistryHandler, type HttpSyncVersions } from "./sync_http_registry.ts";

const digest = (n: number): string => String(n).padStart(64, "0");

/** A leased HTTP registry whose last sync stored these validators. */
function leasedRegistry(validators: { etag?: string | null; contentHash?: string | null } = {}): IndexedRegistry {
  return {
    id: randomUUID(),
    organizationId: randomUUID(),
    name: "my-charts",
    url: "https://charts.example.test/stable",
    kind: "http_registry",
    etag: validators.etag ?? null,
    lastModified: null,
    contentHash: validators.contentHash ?? null,
    credential: null,
  };
}

/** Sync runs in memory: one run, leased once; records what the handler reports. */
class MemorySyncRuns implements SyncRunStore<SealedCredential> {
  readonly finished: SyncResult[] = [];
  readonly retries: StoredError[] = [];
  readonly failures: { error: StoredError; httpStatus: number | null }[] = [];
  renewals = 0;

  constructor(
    readonly registry: IndexedRegistry,
    readonly syncRunId: string,
  ) {}

  lease(syncRunId: string): Promise<LeaseAttempt<SealedCredential>> {
    expect(syncRunId).toBe(this.syncRunId);
    return Promise.resolve({ kind: "leased", sync: { syncRunId, attempts: 1, registry: this.registry } });
  }
  renewLease(): Promise<void> {
    this.renewals++;
    return Promise.resolve();
  }
  finish(_syncRunId: string, result: SyncResult): Promise<void> {
    this.finished.push(result);
    return Promise.resolve();
  }
  recordRetry(_syncRunId: string, error: StoredError): Promise<void> {
    this.retries.push(error);
    return Promise.resolve();
  }
  fail(_syncRunId: string, error: StoredError, httpStatus: number | null = null): Promise<{ organizationId: string; registryId: string }> {
    this.failures.push({ error, httpStatus });
    return Promise.resolve({ organizationId: this.registry.organizationId, registryId: this.registry.id });
  }
}

/** A registry's versions in memory: what was stored before the sync, and every write of it. */
class MemoryVersions implements HttpSyncVersions {
  readonly charts: { charts: readonly IndexedChart[]; complete: boolean | undefined }[] = [];
  readonly slices: VersionChangeSlice[] = [];
  readonly failed: string[] = [];

  constructor(readonly stored: StoredVersion[] = []) {}

  storedVersions(): Promise<StoredVersion[]> {
    return Promise.resolve(this.stored);
  }
  upsertCharts(_registryId: string, charts: readonly IndexedChart[], options: { complete?: boolean } = {}): Promise<void> {
    this.charts.push({ charts, complete: options.complete });
    return Promise.resolve();
  }
  applyVersions(_registryId: string, slice: VersionChangeSlice): Promise<PendingVersion[]> {
    this.slices.push(slice);
    const pending = (v: { id: string; chart: string; version: string; digest: string | null; downloadUrl: string | null }, requeues: number) => ({
      id: v.id,
      chart: v.chart,
      version: v.version,
      digest: v.digest,
      downloadUrl: v.downloadUrl,
      requeues,
    });
    return Promise.resolve([...slice.added.map((v) => pending({ ...v, id: randomUUID() }, 0)), ...slice.refetch.map((v) => pending(v, 1))]);
  }
  pendingDownloads(): Promise<PendingVersion[]> {
    return Promise.resolve([]);
  }
  markFailed(versionIds: string | readonly string[]): Promise<void> {
    this.failed.push(...(typeof versionIds === "string" ? [versionIds] : versionIds));
    return Promise.resolve();
  }
}

/** Metrics in memory. */
class RecordingMetrics implements IndexFetchRecorder {
  readonly events: string[] = [];
  syncEnded(outcome: SyncOutcome): void {
    this.events.push(`sync ${outcome}`);
  }
  indexFetched(bytes: number): void {
    this.events.push(`fetched ${bytes}`);
  }
  indexNotModified(): void {
    this.events.push("304");
  }
}

/** A delivery whose log lines are kept. */
function delivery(): { context: DeliveryContext; logs: Record<string, unknown>[]; workingCalls: () => number } {
  const logs: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  let working = 0;
  const context: DeliveryContext = {
    attempt: 1,
    log: pino({ level: "info" }, stream),
    working: () => {
      working++;
    },
  };
  return { context, logs, workingCalls: () => working };
}

/** A handler over in-memory stores and a fixed index answer. */
function setUp(answer: FetchedIndex, options: { registry?: IndexedRegistry; stored?: StoredVersion[]; fullSyncs?: Slots } = {}) {
  const registry = options.registry ?? leasedRegistry();
  const payload: SyncRequested = { registryId: registry.id, syncRunId: randomUUID(), trigger: "schedule", requestedAt: new Date().toISOString() };
  const syncRuns = new MemorySyncRuns(registry, payload.syncRunId);
  const versions = new MemoryVersions(options.stored);
  const publisher = new RecordingPublisher();
  const metrics = new RecordingMetrics();
  const requested: IndexedRegistry[] = [];
  const index: IndexSource = {
    async fetch(r, fetchOptions) {
      requested.push(r);
      // As the HTTP source does: a changed index waits before its body is read, and each request
      // answers with a new object (the handler lets go of a body once it is parsed).
      if (answer.changed) await fetchOptions?.beforeBody?.();
      return { ...answer };
    },
  };
  const fullSyncs = options.fullSyncs ?? new Slots(8);
  const handler = syncHttpRegistryHandler({ syncRuns, versions, publisher, index, limits: { maxIndexVersions: 1000 }, metrics, fullSyncs });
  return { handler, payload, registry, syncRuns, versions, publisher, metrics, requested, fullSyncs, ...delivery() };
}

function changed(yaml: string, validators: { etag?: string } = {}): FetchedIndex & { changed: true } {
  return {
    changed: true,
    status: 200,
    body: new TextEncoder().encode(yaml),
    url: "https://charts.example.test/stable/index.yaml",
    validators: { etag: validators.etag ?? null, lastModified: null },
  };
}

const twoVersions = `apiVersion: v1
entries:
  web:
  - name: web
    version: 1.1.0
    digest: ${digest(11)}
    description: Web 1.1
    urls: [charts/web-1.1.0.tgz]
  - name: web
    version: 1.0.0
    digest: ${digest(10)}
    urls: [https://mirror.example.test/web-1.0.0.tgz]
`;

describe("syncHttpRegistryHandler()", () => {
  it("ends a sync answered 304 as unchanged, keeping the stored validators, and writes no version", async () => {
    const registry = leasedRegistry({ etag: '"abc"', contentHash: "h1" });
    const t = setUp({ changed: false, status: 304 }, { registry });
    await t.handler.handle(t.payload, t.context);

    expect(t.requested).toEqual([registry]);
    expect(t.syncRuns.finished).toEqual([
      {
        outcome: "unchanged",
        httpStatus: 304,
        bytes: 0,
        chartsSeen: null,
        versionsAdded: 0,
        versionsRemoved: 0,
        etag: '"abc"',
        lastModified: null,
        contentHash: "h1",
      },
    ]);
    expect(t.versions.charts).toEqual([]);
    expect(t.versions.slices).toEqual([]);
    // A scheduled sync that finds nothing new at once is quiet: recorded on its run, no event.
    expect(t.publisher.subjects()).toEqual([]);
    expect(t.metrics.events).toEqual(["304", "sync unchanged"]);
    // One line per unchanged sync would flood a fleet's logs: the 304 is logged at debug only.
    expect(t.logs).toEqual([]);
  });

  it("ends a sync whose index has the stored content hash as unchanged, storing the new validators", async () => {
    const answer = changed(twoVersions, { etag: '"new"' });
    const registry = leasedRegistry({ etag: '"old"', contentHash: indexContentHash(answer.body) });
    const t = setUp(answer, { registry });
    await t.handler.handle(t.payload, t.context);

    expect(t.syncRuns.finished).toEqual([
      {
        outcome: "unchanged",
        httpStatus: 200,
        bytes: answer.body.byteLength,
        chartsSeen: null,
        versionsAdded: 0,
        versionsRemoved: 0,
        etag: '"new"',
        lastModified: null,
        contentHash: registry.contentHash,
      },
    ]);
    expect(t.versions.slices).toEqual([]);
    expect(t.metrics.events).toEqual([`fetched ${answer.body.byteLength}`, "sync unchanged"]);
    expect(t.logs.map((l) => l["msg"])).toEqual(["Index content unchanged (same content hash)"]);
  });

  it("reads a changed index only in a full-sync slot, held to the sync's end, while a 304 never waits for one", async () => {
    const fullSyncs = new Slots(1);
    const busy = await fullSyncs.take();

    const notModified = setUp({ changed: false, status: 304 }, { fullSyncs });
    await notModified.handler.handle(notModified.payload, notModified.context);
    expect(notModified.syncRuns.finished).toHaveLength(1);

    const t = setUp(changed(twoVersions), { fullSyncs });
    const handled = t.handler.handle(t.payload, t.context);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fullSyncs.waiting).toBe(1);
    expect(t.syncRuns.finished).toEqual([]);

    busy();
    await handled;
    expect(t.syncRuns.finished).toEqual([expect.objectContaining({ outcome: "updated" })]);
    // Given back at the end: the next changed index takes it at once.
    (await fullSyncs.take())();
    expect(fullSyncs.waiting).toBe(0);
  });

  it("fails an index without a usable version as invalid_index instead of tombstoning the catalogue", async () => {
    const empty = changed("apiVersion: v1\nentries: {}\n");
    const t = setUp(empty, { stored: [{ id: randomUUID(), chart: "web", version: "1.0.0", digest: digest(1), state: "ready", deprecated: false }] });
    const error = await t.handler.handle(t.payload, t.context).then(
      () => expect.unreachable(),
      (err: unknown) => err,
    );
    expect(error).toMatchObject({ code: "invalid_index", message: 'index.yaml of "my-charts" lists no chart versions' });

    expect(t.syncRuns.finished).toEqual([]);
    expect(t.versions.charts).toEqual([]);
    expect(t.versions.slices).toEqual([]);
    expect(t.metrics.events).toEqual([`fetched ${empty.body.byteLength}`, "sync failed"]);
    expect(t.publisher.subjects()).toEqual(["registry.sync.started.v1"]);

    // Given up: recorded on the run and announced as a failed sync.
    await t.handler.onGiveUp?.(t.payload, error, t.context);
    expect(t.syncRuns.failures).toEqual([{ error: expect.objectContaining({ code: "invalid_index" }), httpStatus: null }]);
    expect(t.publisher.payloads("registry.sync.finished.v1")).toEqual([
      expect.objectContaining({ outcome: "failed", registryId: t.registry.id, error: expect.objectContaining({ code: "invalid_index" }) }),
    ]);
  });

  it("writes the diff of a changed index, queues a download per new version from its own URL and announces the changes", async () => {
    const kept = { id: randomUUID(), chart: "web", version: "1.0.0", digest: digest(10), state: "ready" as const, deprecated: false };
    const gone = { id: randomUUID(), chart: "old", version: "0.1.0", digest: digest(1), state: "ready" as const, deprecated: false };
    const answer = changed(twoVersions, { etag: '"v2"' });
    const t = setUp(answer, { stored: [kept, gone] });
    await t.handler.handle(t.payload, t.context);

    expect(t.versions.charts).toEqual([{ charts: [expect.objectContaining({ name: "web", latestVersion: "1.1.0", description: "Web 1.1", versions: 2 })], complete: true }]);
    expect(t.versions.slices).toHaveLength(1);
    const slice = t.versions.slices[0];
    expect(slice?.added.map((v) => [v.version, v.downloadUrl])).toEqual([["1.1.0", "https://charts.example.test/stable/charts/web-1.1.0.tgz"]]);
    expect(slice?.removedIds).toEqual([gone.id]);
    expect(slice?.refetch).toEqual([]);
    expect(slice?.updated).toEqual([]);

    expect(t.publisher.payloads("chart.download.requested.v1")).toEqual([
      expect.objectContaining({
        registryId: t.registry.id,
        chart: "web",
        version: "1.1.0",
        url: "https://charts.example.test/stable/charts/web-1.1.0.tgz",
        expectedDigest: digest(11),
        round: 0,
      }),
    ]);
    expect(t.publisher.payloads("chart.version.discovered.v1")).toEqual([
      expect.objectContaining({ chart: "web", versions: [expect.objectContaining({ version: "1.1.0" })] }),
    ]);
    expect(t.publisher.payloads("chart.version.removed.v1")).toEqual([
      expect.objectContaining({ chart: "old", versions: [{ versionId: gone.id, version: "0.1.0" }] }),
    ]);
    expect(t.syncRuns.finished).toEqual([
      {
        outcome: "updated",
        httpStatus: 200,
        bytes: answer.body.byteLength,
        chartsSeen: 1,
        versionsAdded: 1,
        versionsRemoved: 1,
        etag: '"v2"',
        lastModified: null,
        contentHash: indexContentHash(answer.body),
      },
    ]);
    expect(t.publisher.subjects()[0]).toBe("registry.sync.started.v1");
    expect(t.publisher.subjects().at(-1)).toBe("registry.sync.finished.v1");
    expect(t.syncRuns.renewals).toBe(1);
    expect(t.workingCalls()).toBeGreaterThanOrEqual(2);
    expect(t.metrics.events).toEqual([`fetched ${answer.body.byteLength}`, "sync updated"]);
    const synced = t.logs.find((l) => l["msg"] === "Index synced");
    expect(synced).toMatchObject({ changed: true, charts: 1, versions: 2, added: 1, refetched: 0, removed: 1, queued: 1, problems: 0 });
    expect(Object.keys(synced?.["phasesMs"] as object)).toEqual(["fetch", "parse", "diff", "write and queue"]);
  });

  it("shows a failure to be retried on the registry", async () => {
    const t = setUp({ changed: false, status: 304 });
    await t.handler.onRetry?.(t.payload, new Error("connection reset"), t.context);
    expect(t.syncRuns.retries).toEqual([expect.objectContaining({ code: "internal", message: "connection reset" })]);
  });
});
