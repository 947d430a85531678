import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import type {
  IndexedChart,
  LeasedSync,
  LeaseAttempt,
  PendingVersion,
  StoredOciVersion,
  SyncResult,
  SyncRunStore,
  VersionChangeSlice,
} from "@charthouse/catalog";
import type { SyncRequested } from "@charthouse/contracts";
import type { OciRepositoryState, SealedCredential } from "@charthouse/db";
import { NotFoundError, UpstreamError, type StoredError } from "@charthouse/errors";
import type { DeliveryContext } from "@charthouse/messaging";
import type { OciChartManifest } from "@charthouse/registry-oci";
import type { SyncOutcome, SyncRecorder } from "@charthouse/service-runtime";
import { RecordingPublisher } from "@charthouse/testing";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { tagListHash, tagReference } from "./read_repository.ts";
import { syncOciRegistryHandler, type OciRepositoryStates, type OciSyncSession, type OciSyncVersions } from "./sync_oci_registry.ts";

const layer = (n: number): string => `sha256:${String(n).padStart(64, "0")}`;
const host = "registry.test";
const reference = { host, apiBase: `https://${host}`, path: "ns/web", dockerHub: false };

type Registry = LeasedSync<SealedCredential>["registry"];

function ociRegistry(): Registry {
  return {
    id: randomUUID(),
    organizationId: randomUUID(),
    name: "my-oci",
    url: `oci://${host}/ns/web`,
    kind: "oci_registry",
    etag: null,
    lastModified: null,
    contentHash: null,
    credential: null,
  };
}

/** Sync runs in memory: one run, leased once; records what the handler reports. */
class MemorySyncRuns implements SyncRunStore<SealedCredential> {
  readonly finished: SyncResult[] = [];
  readonly retries: StoredError[] = [];
  readonly failures: { error: StoredError; httpStatus: number | null }[] = [];

  constructor(
    readonly registry: Registry,
    readonly syncRunId: string,
  ) {}

  lease(syncRunId: string): Promise<LeaseAttempt<SealedCredential>> {
    return Promise.resolve({ kind: "leased", sync: { syncRunId, attempts: 1, registry: this.registry } });
  }
  renewLease(): Promise<void> {
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

/** An OCI registry's stored versions in memory, and every write of a sync. */
class MemoryVersions implements OciSyncVersions {
  readonly charts: IndexedChart[][] = [];
  readonly slices: VersionChangeSlice[] = [];

  constructor(readonly stored: StoredOciVersion[]) {}

  storedOciVersions(): Promise<StoredOciVersion[]> {
    return Promise.resolve(this.stored);
  }
  upsertCharts(_registryId: string, charts: readonly IndexedChart[]): Promise<void> {
    this.charts.push([...charts]);
    return Promise.resolve();
  }
  applyVersions(_registryId: string, slice: VersionChangeSlice): Promise<PendingVersion[]> {
    this.slices.push(slice);
    return Promise.resolve(
      [...slice.added.map((v) => ({ ...v, id: randomUUID() })), ...slice.refetch].map((v) => ({
        id: v.id,
        chart: v.chart,
        version: v.version,
        digest: v.digest,
        downloadUrl: v.downloadUrl,
        requeues: 0,
      })),
    );
  }
  pendingDownloads(): Promise<PendingVersion[]> {
    return Promise.resolve([]);
  }
  markFailed(): Promise<void> {
    return Promise.resolve();
  }
}

/** Repository states in memory. */
class MemoryRepositoryStates implements OciRepositoryStates {
  readonly replaced: { states: readonly OciRepositoryState[]; keep: readonly string[] }[] = [];
  constructor(readonly states: OciRepositoryState[]) {}
  forRegistry(): Promise<Map<string, OciRepositoryState>> {
    return Promise.resolve(new Map(this.states.map((s) => [s.name, s])));
  }
  replace(_registryId: string, states: readonly OciRepositoryState[], keep: readonly string[]): Promise<void> {
    this.replaced.push({ states, keep });
    return Promise.resolve();
  }
}

/** One repository `ns/web` in memory: its tags and their manifests (layer n); records each request. */
class MemoryRegistry implements OciSyncSession {
  readonly calls: string[] = [];
  rateLimitWaits = 0;
  listError: Error | undefined;

  constructor(readonly manifests: Record<string, { digest: string; layer: number; missing?: boolean }>) {}

  listTags(repository: string): Promise<string[] | null> {
    this.calls.push(`TAGS ${repository}`);
    if (this.listError !== undefined) return Promise.reject(this.listError);
    return Promise.resolve(repository === "ns/web" ? Object.keys(this.manifests).sort() : null);
  }
  listRepositories(): Promise<{ repositories: string[]; via: "catalog" }> {
    return Promise.resolve({ repositories: [], via: "catalog" });
  }
  manifest(_repository: string, tag: string): Promise<OciChartManifest> {
    this.calls.push(`GET ${tag}`);
    const m = this.manifests[tag];
    if (m === undefined || m.missing === true) return Promise.reject(new NotFoundError(`No manifest ${tag}`, { code: "manifest_unknown" }));
    return Promise.resolve({
      digest: m.digest,
      isChart: true,
      configMediaType: "application/vnd.cncf.helm.config.v1+json",
      configDigest: `config-of-${tag}`,
      chartLayer: { digest: layer(m.layer), size: 10 },
      provenanceLayer: null,
    });
  }
  manifestDigest(_repository: string, tag: string): Promise<string | null> {
    this.calls.push(`HEAD ${tag}`);
    return Promise.resolve(this.manifests[tag]?.digest ?? null);
  }
  chartConfig(_repository: string, digest: string): Promise<Record<string, unknown>> {
    this.calls.push(`CONFIG ${digest}`);
    return Promise.resolve({ name: "web", version: "x", appVersion: "2.0", description: `Web from ${digest}` });
  }
}

/** A stored version read from tag `version` of ns/web, manifest `m<layer>`. */
function stored(version: string, n: number): StoredOciVersion {
  return {
    id: randomUUID(),
    chart: "web",
    version,
    digest: layer(n).slice("sha256:".length),
    state: "ready",
    deprecated: false,
    ociReference: tagReference(reference, "ns/web", version),
    manifestDigest: `m${n}`,
    appVersion: "1.0",
    description: `Web ${version}`,
    indexMetadata: {},
  };
}

/** What the last sync remembered of ns/web, re-checked just now (no re-check due). */
function rememberedState(tags: string[]): OciRepositoryState {
  return { name: "ns/web", tagsHash: tagListHash(tags), skippedTags: [], recheckedAt: new Date() };
}

function setUp(registry: MemoryRegistry, before: { stored: StoredOciVersion[]; states: OciRepositoryState[] }) {
  const leased = ociRegistry();
  const payload: SyncRequested = { registryId: leased.id, syncRunId: randomUUID(), trigger: "schedule", requestedAt: new Date().toISOString() };
  const syncRuns = new MemorySyncRuns(leased, payload.syncRunId);
  const versions = new MemoryVersions(before.stored);
  const repositories = new MemoryRepositoryStates(before.states);
  const publisher = new RecordingPublisher();
  const outcomes: SyncOutcome[] = [];
  const metrics: SyncRecorder = { syncEnded: (outcome) => outcomes.push(outcome) };
  const sessions: { host: string; path: string; credential: SealedCredential | null }[] = [];
  const handler = syncOciRegistryHandler({
    syncRuns,
    versions,
    repositories,
    publisher,
    client: {
      session(ref, credential) {
        sessions.push({ host: ref.host, path: ref.path, credential });
        return registry;
      },
    },
    settings: { plainHttpHosts: [], recheckSeconds: 3600, repositoryConcurrency: 2, manifestConcurrency: 2 },
    metrics,
  });
  const logs: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const context: DeliveryContext = { attempt: 1, log: pino({ level: "info" }, stream), working: () => undefined };
  return { handler, payload, leased, syncRuns, versions, repositories, publisher, outcomes, sessions, logs, context };
}

describe("syncOciRegistryHandler()", () => {
  it("asks nothing beyond the tag list when it is unchanged, writes no version and ends unchanged", async () => {
    const registry = new MemoryRegistry({ "1.0.0": { digest: "m1", layer: 1 } });
    const t = setUp(registry, { stored: [stored("1.0.0", 1)], states: [rememberedState(["1.0.0"])] });
    await t.handler.handle(t.payload, t.context);

    expect(t.sessions).toEqual([{ host, path: "ns/web", credential: null }]);
    expect(registry.calls).toEqual(["TAGS ns/web"]);
    expect(t.versions.charts).toEqual([]);
    expect(t.versions.slices).toEqual([]);
    expect(t.repositories.replaced).toEqual([{ states: [], keep: ["ns/web"] }]);
    expect(t.syncRuns.finished).toEqual([
      {
        outcome: "unchanged",
        httpStatus: null,
        bytes: 0,
        chartsSeen: 1,
        versionsAdded: 0,
        versionsRemoved: 0,
        etag: null,
        lastModified: null,
        contentHash: null,
        notes: [],
      },
    ]);
    expect(t.publisher.subjects()).toEqual([]);
    expect(t.outcomes).toEqual(["unchanged"]);
    expect(t.logs.map((l) => l["msg"])).toEqual(["OCI registry synced"]);
    expect(t.logs[0]).toMatchObject({ repositories: 1, read: 0, added: 0, refetched: 0, removed: 0, registryId: t.leased.id });
  });

  it("reads only new tags and queues their chart layers for download", async () => {
    const registry = new MemoryRegistry({ "1.0.0": { digest: "m1", layer: 1 }, "1.1.0": { digest: "m2", layer: 2 } });
    const t = setUp(registry, { stored: [stored("1.0.0", 1)], states: [rememberedState(["1.0.0"])] });
    await t.handler.handle(t.payload, t.context);

    expect(registry.calls).toEqual(["TAGS ns/web", "GET 1.1.0", "CONFIG config-of-1.1.0"]);
    expect(t.versions.charts).toEqual([[expect.objectContaining({ name: "web", latestVersion: "1.1.0", appVersion: "2.0", versions: 2 })]]);
    expect(t.versions.slices[0]?.added.map((v) => [v.version, v.downloadUrl, v.manifestDigest])).toEqual([
      ["1.1.0", `oci://${host}/ns/web@${layer(2)}`, "m2"],
    ]);
    expect(t.publisher.payloads("chart.download.requested.v1")).toEqual([
      expect.objectContaining({ chart: "web", version: "1.1.0", url: `oci://${host}/ns/web@${layer(2)}`, expectedDigest: layer(2).slice(7) }),
    ]);
    expect(t.publisher.payloads("chart.version.discovered.v1")).toEqual([
      expect.objectContaining({ chart: "web", versions: [expect.objectContaining({ version: "1.1.0" })] }),
    ]);
    expect(t.repositories.replaced).toEqual([
      { states: [expect.objectContaining({ name: "ns/web", tagsHash: tagListHash(["1.0.0", "1.1.0"]) })], keep: ["ns/web"] },
    ]);
    expect(t.syncRuns.finished).toEqual([expect.objectContaining({ outcome: "updated", chartsSeen: 1, versionsAdded: 1, versionsRemoved: 0 })]);
    expect(t.outcomes).toEqual(["updated"]);
  });

  it("reads just the repository a push named, leaving the namespace's other charts as they are", async () => {
    const registry = new MemoryRegistry({ "1.0.0": { digest: "m1", layer: 1 }, "1.1.0": { digest: "m2", layer: 2 } });
    const db = { ...stored("0.1.0", 5), chart: "db", ociReference: tagReference(reference, "ns/db", "0.1.0") };
    const dbState: OciRepositoryState = { ...rememberedState(["0.1.0"]), name: "ns/db" };
    const t = setUp(registry, { stored: [stored("1.0.0", 1), db], states: [rememberedState(["1.0.0"]), dbState] });
    t.leased.url = `oci://${host}/ns`;
    Object.assign(t.payload, { trigger: "push", repository: "ns/web" });
    await t.handler.handle(t.payload, t.context);

    // No catalog listing and no tag list of ns/db (a namespace listing here would find nothing and fail the sync).
    expect(registry.calls.filter((c) => c.startsWith("TAGS"))).toEqual(["TAGS ns/web"]);
    // A push re-checks the pushed repository's known tags for a re-push.
    expect(registry.calls).toContain("HEAD 1.0.0");
    expect(t.versions.slices[0]?.added.map((v) => v.version)).toEqual(["1.1.0"]);
    expect(t.versions.slices[0]?.removedIds).toEqual([]);
    expect(t.versions.charts).toEqual([[expect.objectContaining({ name: "web", versions: 2 })]]);
    expect(t.repositories.replaced[0]?.keep).toEqual(["ns/web", "ns/db"]);
    expect(t.syncRuns.finished).toEqual([expect.objectContaining({ outcome: "updated", versionsAdded: 1, versionsRemoved: 0 })]);
    expect(t.logs[0]).toMatchObject({ pushed: "ns/web", repositories: 1 });
  });

  it("tombstones the versions of removed tags and announces their removal", async () => {
    const registry = new MemoryRegistry({ "1.0.0": { digest: "m1", layer: 1 } });
    const gone = stored("0.9.0", 9);
    const t = setUp(registry, { stored: [stored("1.0.0", 1), gone], states: [rememberedState(["0.9.0", "1.0.0"])] });
    await t.handler.handle(t.payload, t.context);

    expect(registry.calls).toEqual(["TAGS ns/web"]);
    expect(t.versions.slices).toEqual([{ added: [], refetch: [], updated: [], removedIds: [gone.id] }]);
    expect(t.versions.charts).toEqual([[expect.objectContaining({ name: "web", latestVersion: "1.0.0", versions: 1 })]]);
    expect(t.publisher.payloads("chart.version.removed.v1")).toEqual([
      expect.objectContaining({ chart: "web", versions: [{ versionId: gone.id, version: "0.9.0" }] }),
    ]);
    expect(t.publisher.payloads("chart.download.requested.v1")).toEqual([]);
    expect(t.syncRuns.finished).toEqual([expect.objectContaining({ outcome: "updated", versionsAdded: 0, versionsRemoved: 1 })]);
  });

  it("notes a listed tag whose manifest cannot be fetched and syncs the rest", async () => {
    const registry = new MemoryRegistry({ "1.0.0": { digest: "m1", layer: 1 }, "2.0.0": { digest: "m2", layer: 2, missing: true } });
    const t = setUp(registry, { stored: [stored("1.0.0", 1)], states: [rememberedState(["1.0.0"])] });
    await t.handler.handle(t.payload, t.context);

    expect(t.syncRuns.finished).toEqual([
      expect.objectContaining({
        outcome: "unchanged",
        notes: [{ code: "tag_not_found", message: "ns/web:2.0.0 is listed but its manifest cannot be fetched", count: 1 }],
      }),
    ]);
    // The tag list changed, so the charts are written again; no version changed.
    expect(t.versions.charts).toEqual([[expect.objectContaining({ name: "web", latestVersion: "1.0.0", versions: 1 })]]);
    expect(t.versions.slices).toEqual([]);
    expect(t.repositories.replaced[0]?.states).toEqual([expect.objectContaining({ tagsHash: tagListHash(["1.0.0", "2.0.0"]) })]);
  });

  it("fails a sync whose registry errors, remembers nothing, and records the failure when given up", async () => {
    const registry = new MemoryRegistry({ "1.0.0": { digest: "m1", layer: 1 } });
    registry.listError = new UpstreamError("registry_error", "registry.test answered 503", { status: 503 });
    const t = setUp(registry, { stored: [stored("1.0.0", 1)], states: [rememberedState(["1.0.0"])] });
    const error = await t.handler.handle(t.payload, t.context).then(
      () => expect.unreachable(),
      (err: unknown) => err,
    );
    expect(error).toBe(registry.listError);
    expect(t.syncRuns.finished).toEqual([]);
    expect(t.repositories.replaced).toEqual([]);
    expect(t.outcomes).toEqual(["failed"]);

    await t.handler.onRetry?.(t.payload, error, t.context);
    expect(t.syncRuns.retries).toEqual([expect.objectContaining({ code: "registry_error" })]);
    await t.handler.onGiveUp?.(t.payload, error, t.context);
    expect(t.syncRuns.failures).toEqual([{ error: expect.objectContaining({ code: "registry_error" }), httpStatus: 503 }]);
    expect(t.publisher.payloads("registry.sync.finished.v1")).toEqual([expect.objectContaining({ outcome: "failed" })]);
  });
});
