import { describe, expect, it } from "vitest";
import type { StoredOciVersion } from "@charthouse/catalog";
import type { OciChartManifest, OciReference } from "@charthouse/registry-oci";
import { readRepository, tagListHash, tagReference, type OciReadSession } from "./read_repository.ts";
import { SyncNotes } from "./sync_notes.ts";

const reference: OciReference = { host: "registry.test", apiBase: "https://registry.test", path: "ns", dockerHub: false };
const layer = (n: number) => `sha256:${String(n).padStart(64, "0")}`;

/** A registry repository in memory: tag -> manifest; records what was asked. */
function repositoryOf(manifests: Record<string, { digest: string; chart?: boolean; layer?: number }>) {
  const calls: string[] = [];
  const session: OciReadSession = {
    async manifest(_repository: string, tag: string): Promise<OciChartManifest> {
      calls.push(`GET ${tag}`);
      const m = manifests[tag]!;
      const isChart = m.chart !== false;
      return {
        digest: m.digest,
        isChart,
        configMediaType: isChart ? "application/vnd.cncf.helm.config.v1+json" : "application/vnd.oci.image.config.v1+json",
        configDigest: `config-of-${tag}`,
        chartLayer: isChart ? { digest: layer(m.layer ?? 1), size: 10 } : null,
        provenanceLayer: null,
      };
    },
    async manifestDigest(_repository: string, tag: string): Promise<string | null> {
      calls.push(`HEAD ${tag}`);
      return manifests[tag]?.digest ?? null;
    },
    async chartConfig(_repository: string, digest: string): Promise<Record<string, unknown>> {
      calls.push(`CONFIG ${digest}`);
      return { name: "web", version: "x", appVersion: "2.0", description: "Web", keywords: ["a"] };
    },
  };
  return { session, calls };
}

function stored(version: string, tag: string, manifestDigest: string, digest = "1".padStart(64, "0")): StoredOciVersion {
  return {
    id: `id-${version}`,
    chart: "web",
    version,
    digest,
    state: "ready",
    deprecated: false,
    ociReference: tagReference(reference, "ns/web", tag),
    manifestDigest,
    appVersion: null,
    description: null,
    indexMetadata: {},
  };
}

const options = () => ({ concurrency: 2, notes: new SyncNotes(), now: new Date("2026-11-24T12:00:00Z") });

describe("readRepository()", () => {
  it("reads the manifest and config of new tags only, and turns tag 1.1.0_b into version 1.1.0+b", async () => {
    const { session, calls } = repositoryOf({ "1.0.0": { digest: "m1" }, "1.1.0_b": { digest: "m2", layer: 2 } });
    const reading = await readRepository(
      session,
      reference,
      { repository: "ns/web", chart: "web", tags: ["1.0.0", "1.1.0_b"], stored: [stored("1.0.0", "1.0.0", "m1")], state: undefined, recheck: false },
      options(),
    );
    expect(calls).toEqual(["GET 1.1.0_b", "CONFIG config-of-1.1.0_b"]);
    expect(reading.versions.map((v) => v.version)).toEqual(["1.0.0", "1.1.0+b"]);
    const added = reading.versions[1]!;
    expect(added).toMatchObject({ digest: "2".padStart(64, "0"), appVersion: "2.0", manifestDigest: "m2" });
    expect(added.ociReference).toBe("oci://registry.test/ns/web:1.1.0_b");
    expect(added.downloadUrl).toBe(`oci://registry.test/ns/web@${layer(2)}`);
    // A known tag kept as stored is not downloaded again.
    expect(reading.versions[0]?.downloadUrl).toBeNull();
  });

  it("asks nothing more when the tag list is unchanged and no re-check is due", async () => {
    const { session, calls } = repositoryOf({ "1.0.0": { digest: "m1" } });
    const state = { name: "ns/web", tagsHash: tagListHash(["1.0.0"]), skippedTags: [], recheckedAt: new Date(0) };
    const reading = await readRepository(
      session,
      reference,
      { repository: "ns/web", chart: "web", tags: ["1.0.0"], stored: [stored("1.0.0", "1.0.0", "m1")], state, recheck: false },
      options(),
    );
    expect(calls).toEqual([]);
    expect(reading.read).toBe(false);
    expect(reading.versions.map((v) => v.version)).toEqual(["1.0.0"]);
  });

  it("on a re-check compares manifest digests with HEAD and reads a re-pushed tag again", async () => {
    const { session, calls } = repositoryOf({ "1.0.0": { digest: "m1" }, "2.0.0": { digest: "m2-new", layer: 3 } });
    const state = { name: "ns/web", tagsHash: tagListHash(["1.0.0", "2.0.0"]), skippedTags: [], recheckedAt: new Date(0) };
    const reading = await readRepository(
      session,
      reference,
      {
        repository: "ns/web",
        chart: "web",
        tags: ["1.0.0", "2.0.0"],
        stored: [stored("1.0.0", "1.0.0", "m1"), stored("2.0.0", "2.0.0", "m2-old")],
        state,
        recheck: true,
      },
      options(),
    );
    expect(calls.sort()).toEqual(["CONFIG config-of-2.0.0", "GET 2.0.0", "HEAD 1.0.0", "HEAD 2.0.0"]);
    expect(reading.versions.find((v) => v.version === "2.0.0")?.digest).toBe("3".padStart(64, "0"));
    expect(reading.state.recheckedAt).toEqual(new Date("2026-11-24T12:00:00Z"));
  });

  it("skips and counts artifacts that are not charts and tags that are not versions, and remembers the artifacts", async () => {
    const { session, calls } = repositoryOf({ "1.0.0": { digest: "m1", chart: false } });
    const opts = options();
    const reading = await readRepository(
      session,
      reference,
      { repository: "ns/web", chart: "web", tags: ["1.0.0", "latest"], stored: [], state: undefined, recheck: false },
      opts,
    );
    expect(reading.versions).toEqual([]);
    expect(reading.state.skippedTags).toEqual(["1.0.0"]);
    expect(opts.notes.count("not_a_chart")).toBe(2);
    expect(calls).toEqual(["GET 1.0.0"]);

    const again = repositoryOf({ "1.0.0": { digest: "m1", chart: false }, "1.0.1": { digest: "m3" } });
    await readRepository(
      again.session,
      reference,
      { repository: "ns/web", chart: "web", tags: ["1.0.0", "1.0.1", "latest"], stored: [], state: reading.state, recheck: false },
      options(),
    );
    expect(again.calls).toEqual(["GET 1.0.1", "CONFIG config-of-1.0.1"]);
  });
});
