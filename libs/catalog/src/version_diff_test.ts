import { describe, expect, it } from "vitest";
import type { IndexedVersion, StoredVersion } from "./version_model.ts";
import { diffVersions, diffSlices } from "./version_diff.ts";

function indexed(chart: string, version: string, digest: string | null, deprecated = false): IndexedVersion {
  return { chart, version, digest, deprecated, appVersion: null, description: null, created: null, urls: [], downloadUrl: null, indexMetadata: {} };
}

function stored(id: string, chart: string, version: string, digest: string | null, state: StoredVersion["state"] = "ready"): StoredVersion {
  return { id, chart, version, digest, state, deprecated: false };
}

describe("diffVersions()", () => {
  it("adds new versions, tombstones vanished ones and leaves unchanged ones alone", () => {
    const changes = diffVersions(
      [],
      [indexed("nginx", "1.0.0", "a"), indexed("nginx", "1.1.0", "b")],
      [stored("v1", "nginx", "1.0.0", "a"), stored("v0", "nginx", "0.9.0", "z")],
    );
    expect(changes.added.map((v) => v.version)).toEqual(["1.1.0"]);
    expect(changes.removedIds).toEqual(["v0"]);
    expect(changes.refetch).toEqual([]);
    expect(changes.updated).toEqual([]);
  });

  it("fetches a re-published version again when its digest changed", () => {
    const changes = diffVersions([], [indexed("nginx", "1.0.0", "new")], [stored("v1", "nginx", "1.0.0", "old")]);
    expect(changes.refetch.map((v) => [v.id, v.digest])).toEqual([["v1", "new"]]);
  });

  it("brings a removed version back and does not tombstone it twice", () => {
    const changes = diffVersions(
      [],
      [indexed("nginx", "1.0.0", "a")],
      [stored("v1", "nginx", "1.0.0", "a", "removed"), stored("v2", "nginx", "0.1.0", "q", "removed")],
    );
    expect(changes.refetch.map((v) => v.id)).toEqual(["v1"]);
    expect(changes.removedIds).toEqual([]);
  });

  it("updates the deprecated flag in place without fetching the archive again", () => {
    const changes = diffVersions([], [indexed("nginx", "1.0.0", "a", true)], [stored("v1", "nginx", "1.0.0", "a")]);
    expect(changes.updated.map((v) => v.id)).toEqual(["v1"]);
    expect(changes.refetch).toEqual([]);
  });

  it("keeps charts apart even when their names and versions concatenate alike", () => {
    const changes = diffVersions([], [indexed("a-1", "0", "x")], [stored("v1", "a", "1-0", "x")]);
    expect(changes.added).toHaveLength(1);
    expect(changes.removedIds).toEqual(["v1"]);
  });
});

describe("diffSlices()", () => {
  it("cuts every kind of change into slices without losing or repeating one", () => {
    const added = Array.from({ length: 5 }, (_, i) => indexed("a", `1.0.${i}`, "d"));
    const slices = [...diffSlices({ charts: [], added, refetch: [], updated: [], removedIds: ["x", "y", "z"] }, 2)];
    expect(slices.map((s) => s.added.length)).toEqual([2, 2, 1]);
    expect(slices.flatMap((s) => s.removedIds)).toEqual(["x", "y", "z"]);
  });
});
