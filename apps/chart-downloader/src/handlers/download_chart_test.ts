import { randomUUID } from "node:crypto";
import type { ChartDownloadRequested } from "@charthouse/contracts";
import type { ChartVersionRepository, SqlClient, VersionWork } from "@charthouse/db";
import { DeferredError } from "@charthouse/errors";
import { createLogger } from "@charthouse/logging";
import { Publisher, type ArchiveStore, type DeliveryContext, type JetStreamClient } from "@charthouse/messaging";
import { describe, expect, it } from "vitest";
import type { ArchiveSources } from "./archive_source.ts";
import { downloadChartHandler } from "./download_chart.ts";

const digest = "c".repeat(64);
const context: DeliveryContext = { attempt: 1, log: createLogger("test", { level: "silent" }), working: () => undefined };

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
    url: "http://charts.example/web-1.0.0.tgz",
    expectedDigest: digest,
    round: 0,
    ...fields,
  };
}

/** The handler over in-memory fakes: one version, an archive store, a lock that is free or held, a recording publisher. */
function fakes(work: VersionWork, options: { stored?: boolean; lockFree?: boolean } = {}) {
  const published: { subject: string; payload: unknown }[] = [];
  const marked: string[] = [];
  const js = {
    publish: (subject: string, data: Uint8Array) => {
      published.push({ subject, payload: JSON.parse(new TextDecoder().decode(data)) });
      return Promise.resolve({ seq: published.length, duplicate: false, stream: "X" });
    },
  };
  const versions = {
    work: () => Promise.resolve(work),
    markDownloaded: (id: string) => {
      marked.push(id);
      return Promise.resolve(true);
    },
  } as unknown as ChartVersionRepository;
  const db: SqlClient = {
    query: <Row>() => Promise.resolve([{ locked: options.lockFree ?? true }] as Row[]),
    transaction: (run) => run(db),
    close: () => Promise.resolve(),
  };
  const archives = { sizeOf: () => Promise.resolve(options.stored ? 2048 : null) } as unknown as ArchiveStore;
  const sources = {} as ArchiveSources;
  const handler = downloadChartHandler({ db, versions, archives, publisher: new Publisher(js as unknown as JetStreamClient), sources });
  return { handler, published, marked };
}

describe("downloadChartHandler()", () => {
  it("announces a version that a crashed delivery downloaded but never announced", async () => {
    const work = workOf({ state: "downloaded", archiveSha256: digest, size: 2048 });
    const { handler, published, marked } = fakes(work);
    await handler.handle(requestOf(work), context);
    expect(marked).toEqual([]);
    expect(published).toEqual([
      { subject: "chart.downloaded.v1", payload: { registryId: work.registry.id, versionId: work.id, archiveSha256: digest, size: 2048 } },
    ]);
  });

  it("does not download an archive already stored under the published digest", async () => {
    const work = workOf();
    const { handler, published, marked } = fakes(work, { stored: true });
    await handler.handle(requestOf(work), context);
    expect(marked).toEqual([work.id]);
    expect(published.map((p) => p.subject)).toEqual(["chart.downloaded.v1"]);
  });

  it("defers, without failing the version, while another copy downloads the archive for the same registry", async () => {
    const work = workOf();
    const { handler } = fakes(work, { lockFree: false });
    await expect(handler.handle(requestOf(work), context)).rejects.toBeInstanceOf(DeferredError);
  });

  it("skips a request superseded by a newer round, or for a digest the version no longer has", async () => {
    const work = workOf({ requeues: 2 });
    const { handler, published, marked } = fakes(work, { stored: true });
    await handler.handle(requestOf(work, { round: 1 }), context);
    await handler.handle(requestOf(work, { round: 2, expectedDigest: "d".repeat(64) }), context);
    expect(marked).toEqual([]);
    expect(published).toEqual([]);
  });
});
