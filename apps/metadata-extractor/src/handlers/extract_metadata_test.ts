import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { ReopenedVersion } from "@charthouse/catalog";
import { defaultChartArchiveLimits } from "@charthouse/chart-archive";
import type { ChartDownloaded } from "@charthouse/contracts";
import type { ExtractedMetadata, MarkedReady, StoredVersionMetadata, VersionWork } from "@charthouse/db";
import { InputError, UpstreamError, type StoredError } from "@charthouse/errors";
import { createLogger } from "@charthouse/logging";
import type { DeliveryContext } from "@charthouse/messaging";
import { RecordingPublisher } from "@charthouse/testing";
import { pino } from "pino";
import { pack } from "tar-stream";
import { describe, expect, it } from "vitest";
import { extractMetadataHandler } from "./extract_metadata.ts";
import { ReadyVersionMemory } from "./ready_version_memory.ts";

const sha256 = "e".repeat(64);
const context: DeliveryContext = { attempt: 1, log: createLogger("test", { level: "silent" }), working: () => undefined };

/** A .tgz built in memory from files under the chart's folder. */
async function chartArchive(files: Record<string, string>): Promise<Uint8Array> {
  const tar = pack();
  for (const [name, body] of Object.entries(files)) tar.entry({ name, type: "file" }, body);
  tar.finalize();
  const chunks: Uint8Array[] = [];
  for await (const chunk of tar) chunks.push(chunk as Uint8Array);
  return gzipSync(Buffer.concat(chunks));
}

const schema = { type: "object", properties: { replicas: { type: "integer" } } };
const webChart = {
  "web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\ndescription: A web server\n",
  "web/README.md": "# Web\n\nServes pages.\n",
  "web/values.yaml": "replicas: 2\n",
  "web/values.schema.json": JSON.stringify(schema),
};

function workOf(fields: Partial<VersionWork> = {}): VersionWork {
  return {
    id: randomUUID(),
    state: "downloaded",
    chart: "web",
    version: "1.0.0",
    digest: sha256,
    archiveSha256: sha256,
    size: 1234,
    requeues: 1,
    discoveredAt: new Date(Date.now() - 30_000),
    registry: { id: randomUUID(), organizationId: randomUUID(), url: "http://charts.example", credential: null },
    ...fields,
  };
}

function downloadedOf(work: VersionWork): ChartDownloaded {
  return { registryId: work.registry.id, versionId: work.id, archiveSha256: sha256, size: 1234 };
}

/**
 * The handler over in-memory fakes: one version row that moves through its states as Postgres
 * would move it, an archive store holding `archives`, and a recording publisher.
 */
function fakes(
  work: VersionWork,
  archives: Map<string, Uint8Array>,
  options: { readyMeanwhile?: boolean; otherVersions?: StoredVersionMetadata[]; summaryReadsFail?: boolean; memory?: ReadyVersionMemory } = {},
) {
  const row: VersionWork = { ...work };
  const publisher = new RecordingPublisher();
  const recorded = {
    published: publisher.published,
    metadata: [] as ExtractedMetadata[],
    retries: [] as StoredError[],
    failures: [] as StoredError[],
    readySeconds: [] as number[],
  };
  const handler = extractMetadataHandler({
    versions: {
      work: (id) => Promise.resolve(id === row.id ? { ...row } : null),
      reopen: (ids) => {
        if (!ids.includes(row.id)) return Promise.resolve([]);
        row.state = "discovered";
        row.requeues++;
        const reopened: ReopenedVersion = {
          id: row.id,
          registryId: row.registry.id,
          chart: row.chart,
          version: row.version,
          digest: row.digest,
          downloadUrl: "http://charts.example/web-1.0.0.tgz",
          requeues: row.requeues,
        };
        return Promise.resolve([reopened]);
      },
      recordRetry: (_id, error) => {
        recorded.retries.push(error);
        return Promise.resolve();
      },
      markFailed: (_ids, error) => {
        row.state = "failed";
        recorded.failures.push(error);
        return Promise.resolve();
      },
    },
    readyWrites: {
      markReady: (id, chartName, metadata) => {
        if (options.readyMeanwhile) row.state = "ready";
        if (id !== row.id || row.state !== "downloaded" || chartName !== row.chart) return Promise.resolve(null);
        row.state = "ready";
        recorded.metadata.push(metadata);
        const marked: MarkedReady = {
          id: row.id,
          registryId: row.registry.id,
          organizationId: row.registry.organizationId,
          version: row.version,
          discoveredAt: row.discoveredAt!,
          otherReady: (options.otherVersions ?? []).map((v) => ({ id: v.id, version: v.version, archiveSha256: `sha-of-${v.version}` })),
        };
        return Promise.resolve(marked);
      },
    },
    summaries: {
      metadata: (organizationId, chart, ids) => {
        if (options.summaryReadsFail) return Promise.reject(new Error("connection terminated"));
        if (organizationId !== row.registry.organizationId || chart.name !== row.chart) return Promise.resolve([]);
        return Promise.resolve((options.otherVersions ?? []).filter((v) => ids.includes(v.id)));
      },
    },
    memory: options.memory ?? new ReadyVersionMemory(),
    archives: { get: (name) => Promise.resolve(archives.get(name) ?? null) },
    publisher,
    limits: defaultChartArchiveLimits,
    metrics: { versionReady: (seconds) => recorded.readySeconds.push(seconds) },
  });
  return { handler, row, recorded };
}

/** A ready version of the chart as Postgres stores it. */
function stored(version: string, values: string): StoredVersionMetadata {
  return { id: randomUUID(), version, chart_yaml: { name: "web", version }, values_yaml: values, values_schema: null };
}

describe("extractMetadataHandler()", () => {
  it("stores Chart.yaml, README, values and schema, makes the version ready and announces it", async () => {
    const work = workOf();
    const { handler, row, recorded } = fakes(work, new Map([[sha256, await chartArchive(webChart)]]));
    await handler.handle(downloadedOf(work), context);
    expect(row.state).toBe("ready");
    expect(recorded.metadata).toEqual([
      {
        chartYaml: { apiVersion: "v2", name: "web", version: "1.0.0", description: "A web server" },
        readme: "# Web\n\nServes pages.\n",
        valuesYaml: "replicas: 2\n",
        valuesSchema: schema,
        valuesSchemaError: null,
      },
    ]);
    expect(recorded.published).toEqual([
      {
        subject: "chart.version.ready.v1",
        messageId: expect.stringMatching(new RegExp(`^${work.id}:ready:`)) as unknown,
        payload: {
          organizationId: work.registry.organizationId,
          registryId: work.registry.id,
          versionId: work.id,
          chart: "web",
          version: "1.0.0",
          error: null,
          // The chart's first ready version: nothing to compare it with.
          summary: null,
          at: expect.any(String) as unknown,
        },
      },
    ]);
    expect(recorded.readySeconds).toHaveLength(1);
    expect(recorded.readySeconds[0]).toBeGreaterThanOrEqual(30);
  });

  it("announces what the version changed against the previous ready version by semver", async () => {
    const otherVersions = [
      stored("0.10.0", "replicas: 1\nlegacy: true\nimage: nginx:1.0\n"),
      stored("0.9.0", "other: 1\n"),
      stored("2.0.0", "replicas: 3\n"),
    ];
    const work = workOf();
    const { handler, recorded } = fakes(work, new Map([[sha256, await chartArchive(webChart)]]), { otherVersions });
    await handler.handle(downloadedOf(work), context);
    expect(recorded.published[0]?.payload).toMatchObject({
      version: "1.0.0",
      summary: { previousVersion: "0.10.0", valuesAdded: 0, valuesRemoved: 2, valuesChanged: 1, imagesChanged: 1, major: true },
    });
  });

  it("still makes the version ready and announces it, with summary null, when the summary cannot be computed", async () => {
    const lines: string[] = [];
    const log = pino({ level: "warn" }, { write: (line: string) => void lines.push(line) });
    const work = workOf();
    const { handler, row, recorded } = fakes(work, new Map([[sha256, await chartArchive(webChart)]]), {
      summaryReadsFail: true,
      otherVersions: [stored("0.9.0", "replicas: 1\n")],
    });
    await handler.handle(downloadedOf(work), { ...context, log });
    expect(row.state).toBe("ready");
    expect(recorded.published[0]?.payload).toMatchObject({ version: "1.0.0", summary: null });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("Cannot summarise");
  });

  it("re-opens the version and requests its download again when the archive is missing from the store", async () => {
    const work = workOf();
    const { handler, row, recorded } = fakes(work, new Map());
    await handler.handle(downloadedOf(work), context);
    expect(row).toMatchObject({ state: "discovered", requeues: 2 });
    expect(recorded.metadata).toEqual([]);
    expect(recorded.published).toEqual([
      {
        subject: "chart.download.requested.v1",
        messageId: `${work.id}:download:${sha256}:2`,
        payload: {
          registryId: work.registry.id,
          versionId: work.id,
          chart: "web",
          version: "1.0.0",
          url: "http://charts.example/web-1.0.0.tgz",
          expectedDigest: sha256,
          round: 2,
        },
      },
    ]);
  });

  it("fails a delivery whose archive is not a chart for good, storing and announcing nothing", async () => {
    const work = workOf();
    const { handler, row, recorded } = fakes(work, new Map([[sha256, new TextEncoder().encode("<html>not a chart</html>")]]));
    await expect(handler.handle(downloadedOf(work), context)).rejects.toBeInstanceOf(InputError);
    expect(row.state).toBe("downloaded");
    expect(recorded.published).toEqual([]);
  });

  it("fails a delivery whose archive holds another chart than the version's", async () => {
    const work = workOf({ chart: "api" });
    const { handler, recorded } = fakes(work, new Map([[sha256, await chartArchive(webChart)]]));
    const failure = handler.handle(downloadedOf(work), context);
    await expect(failure).rejects.toMatchObject({ code: "invalid_chart" });
    await expect(failure).rejects.toThrow('holds chart "web", not "api"');
    expect(recorded.metadata).toEqual([]);
  });

  it("skips a version that is not waiting for extraction, or is gone", async () => {
    const ready = workOf({ state: "ready" });
    const { handler, recorded } = fakes(ready, new Map([[sha256, await chartArchive(webChart)]]));
    await handler.handle(downloadedOf(ready), context);
    await handler.handle({ ...downloadedOf(ready), versionId: randomUUID() }, context);
    expect(recorded.metadata).toEqual([]);
    expect(recorded.published).toEqual([]);
  });

  it("announces nothing when another delivery made the version ready first", async () => {
    const work = workOf();
    const { handler, recorded } = fakes(work, new Map([[sha256, await chartArchive(webChart)]]), { readyMeanwhile: true });
    await handler.handle(downloadedOf(work), context);
    expect(recorded.published).toEqual([]);
    expect(recorded.readySeconds).toEqual([]);
  });

  it("summarises against a previous version it made ready itself without reading it back", async () => {
    const memory = new ReadyVersionMemory();
    const previous = workOf({ version: "0.9.0", archiveSha256: "sha-of-0.9.0" });
    const first = fakes(previous, new Map([["sha-of-0.9.0", await chartArchive({ ...webChart, "web/values.yaml": "replicas: 1\nextra: true\n" })]]), {
      memory,
    });
    await first.handler.handle({ ...downloadedOf(previous), archiveSha256: "sha-of-0.9.0" }, context);
    // Postgres would answer nothing for it: the summary below can only come from the memory.
    const work = workOf({ registry: previous.registry });
    const { handler, recorded } = fakes(work, new Map([[sha256, await chartArchive(webChart)]]), {
      memory,
      summaryReadsFail: true,
      otherVersions: [{ ...stored("0.9.0", "unused: 1\n"), id: previous.id }],
    });
    await handler.handle(downloadedOf(work), context);
    expect(recorded.published[0]?.payload).toMatchObject({
      summary: { previousVersion: "0.9.0", valuesAdded: 0, valuesRemoved: 1, valuesChanged: 1, imagesChanged: 0, major: true },
    });
  });

  it("summarises a version whose values read like the previous version's as changing nothing", async () => {
    const work = workOf();
    const { handler, recorded } = fakes(work, new Map([[sha256, await chartArchive(webChart)]]), { otherVersions: [stored("0.9.0", "replicas: 2\n")] });
    await handler.handle(downloadedOf(work), context);
    expect(recorded.published[0]?.payload).toMatchObject({
      summary: { previousVersion: "0.9.0", valuesAdded: 0, valuesRemoved: 0, valuesChanged: 0, imagesChanged: 0, major: true },
    });
  });

  it("skips, without failing it, a version no longer waiting whose archive is not a chart", async () => {
    const work = workOf({ state: "discovered" });
    const { handler, row, recorded } = fakes(work, new Map([[sha256, new TextEncoder().encode("<html>not a chart</html>")]]));
    await handler.handle(downloadedOf(work), context);
    expect(row.state).toBe("discovered");
    expect(recorded.published).toEqual([]);
  });

  it("records a passing failure on the version, and on giving up fails it and announces chart.version.failed", async () => {
    const work = workOf();
    const { handler, row, recorded } = fakes(work, new Map());
    const failure = new UpstreamError("registry_error", "Postgres went away", { status: 503 });
    await handler.onRetry?.(downloadedOf(work), failure, context);
    expect(recorded.retries.map((e) => e.code)).toEqual(["registry_error"]);
    await handler.onGiveUp?.(downloadedOf(work), new InputError("no Chart.yaml", { code: "invalid_chart" }), context);
    expect(row.state).toBe("failed");
    expect(recorded.published.map((m) => [m.subject, (m.payload as { error: StoredError }).error.code])).toEqual([
      ["chart.version.failed.v1", "invalid_chart"],
    ]);
  });
});
