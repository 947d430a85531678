import { describe, expect, it } from "vitest";
import type { MessagePublisher } from "@charthouse/contracts";
import { diffVersions } from "./version_diff.ts";
import type { IndexedVersion, PendingVersion, StoredVersion, VersionChangeSlice } from "./version_model.ts";
import type { VersionStore } from "./version_store.ts";
import { writeVersionChanges } from "./write_version_changes.ts";

const organizationId = "00000000-0000-4000-8000-000000000001";
const registryId = "00000000-0000-4000-8000-000000000002";

const indexed = (version: string, digest: string, deprecated = false): IndexedVersion => ({
  chart: "web",
  version,
  digest,
  appVersion: null,
  description: null,
  created: null,
  deprecated,
  urls: [],
  downloadUrl: `https://charts.example.com/web-${version}.tgz`,
  indexMetadata: {},
});
const stored = (id: string, version: string, digest: string, extra: Partial<StoredVersion> = {}): StoredVersion => ({
  id,
  chart: "web",
  version,
  digest,
  state: "ready",
  deprecated: false,
  ...extra,
});

describe("writeVersionChanges()", () => {
  it("announces a stored version under another digest as re-pushed, and one newly deprecated as deprecated, besides discovered", async () => {
    const before = [
      stored("00000000-0000-4000-8000-00000000000a", "1.0.0", "aaa"),
      stored("00000000-0000-4000-8000-00000000000b", "1.1.0", "bbb"),
      stored("00000000-0000-4000-8000-00000000000c", "1.2.0", "ccc", { state: "removed" }),
    ];
    const changes = diffVersions([], [indexed("1.0.0", "AAA"), indexed("1.1.0", "bbb", true), indexed("1.2.0", "ccc")], before);
    const published: { subject: string; versions: string[] }[] = [];
    const publisher: MessagePublisher = {
      publish: async () => undefined,
      async publishMany(contract, payloads) {
        let count = 0;
        for (const payload of payloads) {
          const versions = (payload as { versions?: { version: string }[] }).versions;
          if (versions) published.push({ subject: contract.subject, versions: versions.map((v) => v.version) });
          count++;
        }
        return count;
      },
    };
    const versions: VersionStore = {
      upsertCharts: async () => undefined,
      applyVersions: async (_registry: string, slice: VersionChangeSlice): Promise<PendingVersion[]> =>
        slice.refetch.map((v) => ({ id: v.id, chart: v.chart, version: v.version, digest: v.digest, downloadUrl: v.downloadUrl, requeues: 1 })),
      pendingDownloads: async () => [],
      markFailed: async () => undefined,
    } as unknown as VersionStore;
    await writeVersionChanges(
      { syncRuns: { renewLease: async () => undefined }, versions, publisher },
      {
        sync: {
          syncRunId: "00000000-0000-4000-8000-000000000003",
          attempts: 1,
          registry: { id: registryId, organizationId, name: "r", url: "https://charts.example.com", kind: "http_registry", etag: null, lastModified: null, contentHash: null, credential: null },
        },
        changes,
        stored: before,
        completeCharts: true,
        working: () => undefined,
      },
    );
    const of = (subject: string): string[] => published.filter((p) => p.subject === subject).flatMap((p) => p.versions);
    expect(of("chart.version.repushed.v1")).toEqual(["1.0.0"]);
    expect(of("chart.version.deprecated.v1")).toEqual(["1.1.0"]);
    expect(of("chart.version.discovered.v1").sort()).toEqual(["1.0.0", "1.2.0"]);
  });
});
