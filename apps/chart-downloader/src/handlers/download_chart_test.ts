import { createHash, randomUUID } from "node:crypto";
import { validatePayload, type ChartDownloadRequested, type Contract } from "@charthouse/contracts";
import { lockBusy, type VersionWork } from "@charthouse/db";
import { DeferredError, IntegrityError, UnavailableError, UpstreamError, type StoredError } from "@charthouse/errors";
import { createLogger } from "@charthouse/logging";
import type { DeliveryContext } from "@charthouse/messaging";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { downloadChartHandler, type DownloadChartDependencies } from "./download_chart.ts";

const archiveBytes = new TextEncoder().encode("a chart archive, as a registry serves it");
const digest = createHash("sha256").update(archiveBytes).digest("hex");
const url = "http://charts.example/web-1.0.0.tgz";

function workOf(fields: Partial<VersionWork> = {}): VersionWork {
  return {
    id: randomUUID(),
    state: "discovered",
    chart: "web",
    version: "1.0.0",
    digest,
    archiveSha256: null,
    size: null,
    requeues: 0,
    registry: { id: randomUUID(), organizationId: randomUUID(), url: "http://charts.example", credential: null },
    ...fields,
  };
}

function requestOf(work: VersionWork, fields: Partial<ChartDownloadRequested> = {}): ChartDownloadRequested {
  return {
    registryId: work.registry.id,
    versionId: work.id,
    chart: work.chart,
    version: work.version,
    url,
    expectedDigest: digest,
    round: 0,
    ...fields,
  };
}

/** A delivery context that counts how often the handler said it is still working. */
function contextOf(): DeliveryContext & { workingCalls: number } {
  const context = {
    attempt: 1,
    log: createLogger("test", { level: "silent" }),
    workingCalls: 0,
    working: () => {
      context.workingCalls++;
    },
  };
  return context;
}

interface FakeOptions {
  /** Archives already in the store, by sha256. */
  stored?: Map<string, Uint8Array>;
  /** Lock names another copy of the downloader holds. */
  heldLocks?: string[];
  /** What each archive URL serves, in chunks. */
  served?: Map<string, Uint8Array[]>;
  /** Why the archive store refuses writes, if it does. */
  putFailure?: Error;
  /** Another delivery marks the version downloaded between this one's read and its write. */
  markedMeanwhile?: boolean;
}

/**
 * The handler over in-memory fakes: one version row that moves through its states as Postgres
 * would move it, an archive store, locks another copy may hold, archive URLs, and a publisher
 * that validates and records what it publishes.
 */
function fakes(work: VersionWork, options: FakeOptions = {}) {
  const row: VersionWork = { ...work };
  const stored = options.stored ?? new Map<string, Uint8Array>();
  const served = options.served ?? new Map([[url, [archiveBytes]]]);
  const held = new Set(options.heldLocks ?? []);
  const log = {
    published: [] as { subject: string; payload: unknown }[],
    opened: [] as string[],
    locked: [] as string[],
    retries: [] as StoredError[],
    failures: [] as StoredError[],
  };
  const deps: DownloadChartDependencies = {
    versions: {
      work: (id) => Promise.resolve(id === row.id ? { ...row } : null),
      markDownloaded: (id, sha256, size) => {
        if (options.markedMeanwhile) row.state = "downloaded";
        if (id !== row.id || (row.state !== "discovered" && row.state !== "failed")) return Promise.resolve(false);
        Object.assign(row, { state: "downloaded", archiveSha256: sha256, size });
        return Promise.resolve(true);
      },
      recordRetry: (_id, error) => {
        log.retries.push(error);
        return Promise.resolve();
      },
      markFailed: (_ids, error) => {
        log.failures.push(error);
        row.state = "failed";
        return Promise.resolve();
      },
    },
    archives: {
      sizeOf: (sha256) => Promise.resolve(stored.get(sha256)?.byteLength ?? null),
      put: (sha256, bytes) => {
        if (options.putFailure) return Promise.reject(options.putFailure);
        stored.set(sha256, bytes);
        return Promise.resolve();
      },
    },
    locks: {
      downloadOnce: async (registryId, lockedDigest, run) => {
        const name = `download ${registryId} ${lockedDigest}`;
        if (held.has(name)) return lockBusy;
        log.locked.push(name);
        return await run();
      },
      keepStored: async (sha256, run) => {
        log.locked.push(`store ${sha256}`);
        return await run();
      },
    },
    archiveOpener: {
      open: (archiveUrl) => {
        log.opened.push(archiveUrl);
        const chunks = served.get(archiveUrl);
        if (!chunks) return Promise.reject(new UpstreamError("not_found", `${archiveUrl} answered 404`, { status: 404 }));
        return Promise.resolve({
          url: archiveUrl,
          body: (async function* () {
            yield* chunks;
          })(),
        });
      },
    },
    publisher: {
      publish: <S extends z.ZodType>(contract: Contract<S>, payload: unknown) => {
        log.published.push({ subject: contract.subject, payload: validatePayload(contract, payload) });
        return Promise.resolve();
      },
    },
  };
  return { handler: downloadChartHandler(deps), row, stored, log };
}

describe("downloadChartHandler()", () => {
  it("downloads the archive, stores it under its sha256, marks the version downloaded and announces it", async () => {
    const work = workOf();
    const { handler, row, stored, log } = fakes(work);
    await handler.handle(requestOf(work), contextOf());
    expect(log.opened).toEqual([url]);
    expect(log.locked).toEqual([`download ${work.registry.id} ${digest}`]);
    expect(new Uint8Array(stored.get(digest) ?? [])).toEqual(archiveBytes);
    expect(row).toMatchObject({ state: "downloaded", archiveSha256: digest, size: archiveBytes.byteLength });
    expect(log.published).toEqual([
      {
        subject: "chart.downloaded.v1",
        payload: { registryId: work.registry.id, versionId: work.id, archiveSha256: digest, size: archiveBytes.byteLength },
      },
    ]);
  });

  it("names an archive with no published digest by what arrives, holding its store lock while it is recorded", async () => {
    const work = workOf({ digest: null });
    const { handler, row, stored, log } = fakes(work);
    await handler.handle(requestOf(work, { expectedDigest: null }), contextOf());
    expect(log.locked).toEqual([`store ${digest}`]);
    expect([...stored.keys()]).toEqual([digest]);
    expect(row).toMatchObject({ state: "downloaded", archiveSha256: digest });
    expect(log.published.map((p) => p.subject)).toEqual(["chart.downloaded.v1"]);
  });

  it("does not download an archive already stored under the published digest", async () => {
    const work = workOf();
    const { handler, row, log } = fakes(work, { stored: new Map([[digest, new Uint8Array(2048)]]) });
    await handler.handle(requestOf(work), contextOf());
    expect(log.opened).toEqual([]);
    expect(row).toMatchObject({ state: "downloaded", archiveSha256: digest, size: 2048 });
    expect(log.published).toEqual([
      { subject: "chart.downloaded.v1", payload: { registryId: work.registry.id, versionId: work.id, archiveSha256: digest, size: 2048 } },
    ]);
  });

  it("rejects an archive whose sha256 is not the published digest, and stores and announces nothing", async () => {
    const work = workOf();
    const { handler, row, stored, log } = fakes(work, { served: new Map([[url, [new TextEncoder().encode("something else")]]]) });
    const failure = handler.handle(requestOf(work), contextOf());
    await expect(failure).rejects.toBeInstanceOf(IntegrityError);
    await expect(failure).rejects.toThrow(`but the registry publishes ${digest}`);
    expect(stored.size).toBe(0);
    expect(row.state).toBe("discovered");
    expect(log.published).toEqual([]);
  });

  it("defers, without failing the version or downloading, while another copy downloads the archive for the same registry", async () => {
    const work = workOf();
    const { handler, row, log } = fakes(work, { heldLocks: [`download ${work.registry.id} ${digest}`] });
    const failure = handler.handle(requestOf(work), contextOf());
    await expect(failure).rejects.toBeInstanceOf(DeferredError);
    await expect(failure).rejects.toMatchObject({ retryAfterMs: 2_000 });
    expect(log.opened).toEqual([]);
    expect(row.state).toBe("discovered");
  });

  it("leaves the version waiting and announces nothing when the archive store cannot store the archive", async () => {
    const work = workOf();
    const refused = new UnavailableError("Cannot store archive", { code: "unavailable" });
    const { handler, row, log } = fakes(work, { putFailure: refused });
    await expect(handler.handle(requestOf(work), contextOf())).rejects.toBe(refused);
    expect(row.state).toBe("discovered");
    expect(log.published).toEqual([]);
  });

  it("announces nothing when another delivery marked the version downloaded first", async () => {
    const work = workOf();
    const { handler, row, log } = fakes(work, { markedMeanwhile: true });
    await handler.handle(requestOf(work), contextOf());
    expect(row.state).toBe("downloaded");
    expect(log.published).toEqual([]);
  });

  it("announces a version that a crashed delivery downloaded but never announced", async () => {
    const work = workOf({ state: "downloaded", archiveSha256: digest, size: 2048 });
    const { handler, log } = fakes(work);
    await handler.handle(requestOf(work), contextOf());
    expect(log.opened).toEqual([]);
    expect(log.published).toEqual([
      { subject: "chart.downloaded.v1", payload: { registryId: work.registry.id, versionId: work.id, archiveSha256: digest, size: 2048 } },
    ]);
  });

  it("skips a request superseded by a newer round, for a digest the version no longer has, or for a version gone or done", async () => {
    const work = workOf({ requeues: 2 });
    const { handler, log } = fakes(work, { stored: new Map([[digest, archiveBytes]]) });
    await handler.handle(requestOf(work, { round: 1 }), contextOf());
    await handler.handle(requestOf(work, { round: 2, expectedDigest: "d".repeat(64) }), contextOf());
    await handler.handle(requestOf(work, { round: 2, versionId: randomUUID() }), contextOf());
    const ready = workOf({ state: "ready", archiveSha256: digest, size: 10 });
    const done = fakes(ready);
    await done.handler.handle(requestOf(ready), contextOf());
    expect(log.opened).toEqual([]);
    expect(log.published).toEqual([]);
    expect(done.log.published).toEqual([]);
  });

  it("tells JetStream it is still working while a large archive arrives", async () => {
    const chunks = Array.from({ length: 6 }, () => new Uint8Array(1024 * 1024));
    const large = createHash("sha256");
    for (const chunk of chunks) large.update(chunk);
    const work = workOf({ digest: large.digest("hex") });
    const { handler, row } = fakes(work, { served: new Map([[url, chunks]]) });
    const context = contextOf();
    await handler.handle(requestOf(work, { expectedDigest: work.digest }), context);
    expect(row.size).toBe(6 * 1024 * 1024);
    expect(context.workingCalls).toBe(2);
  });

  it("records a passing failure on the version, and on giving up fails it and announces chart.version.failed", async () => {
    const work = workOf();
    const { handler, row, log } = fakes(work);
    const failure = new UpstreamError("registry_error", "503 from the registry", { status: 503 });
    await handler.onRetry?.(requestOf(work), failure, contextOf());
    expect(log.retries.map((e) => e.code)).toEqual(["registry_error"]);
    await handler.onGiveUp?.(requestOf(work), failure, contextOf());
    expect(row.state).toBe("failed");
    expect(log.published).toEqual([
      {
        subject: "chart.version.failed.v1",
        payload: {
          organizationId: work.registry.organizationId,
          registryId: work.registry.id,
          versionId: work.id,
          chart: "web",
          version: "1.0.0",
          error: log.failures[0],
          at: expect.any(String) as unknown,
        },
      },
    ]);
  });
});
