import { randomUUID } from "node:crypto";
import type { ComparableVersionRow, StoredVersionMetadata } from "@charthouse/db";
import { NotFoundError } from "@charthouse/errors";
import { describe, expect, it } from "vitest";
import { checkVersionValues, comparisonSource, getVersionComparison, type ComparisonReads } from "./version_compare_queries.ts";

const chart = { registryId: randomUUID(), name: "web" };
const organizationId = randomUUID();

/** Versions held in memory as Postgres would hold them, counting the metadata reads. */
function fakeReads(versions: (ComparableVersionRow & Omit<StoredVersionMetadata, "id" | "version">)[]) {
  const calls = { metadata: [] as string[][] };
  const reads: ComparisonReads = {
    comparableVersions: (org, ref, also = []) =>
      Promise.resolve(
        org !== organizationId || ref.name !== chart.name
          ? []
          : versions
              .filter((v) => v.state === "ready" || also.includes(v.version))
              .map(({ id, version, state, archive_sha256, changes }) => ({ id, version, state, archive_sha256, changes })),
      ),
    metadata: (_org, _ref, ids) => {
      calls.metadata.push([...ids]);
      return Promise.resolve(
        versions
          .filter((v) => v.state === "ready" && ids.includes(v.id))
          .map(({ id, version, chart_yaml, values_yaml, values_schema }) => ({ id, version, chart_yaml, values_yaml, values_schema })),
      );
    },
  };
  return { reads, calls };
}

const row = (version: string, values: string, fields: Partial<ComparableVersionRow> = {}) => ({
  id: randomUUID(),
  version,
  state: "ready" as const,
  archive_sha256: `sha-${version}`,
  changes: null,
  chart_yaml: { name: "web", version },
  values_yaml: values,
  values_schema: null,
  ...fields,
});

describe("getVersionComparison()", () => {
  it("reads each version's metadata once, then answers from the cache until its archive changes", async () => {
    const versions = [row("1.0.0", "a: 1\n"), row("2.0.0", "a: 2\nb: 1\n", { changes: "- a change" })];
    const { reads, calls } = fakeReads(versions);
    const source = comparisonSource(reads);
    const first = await getVersionComparison(source, organizationId, { chart, from: "1.0.0", to: "2.0.0" });
    expect(first.values).toEqual({ added: [{ path: "b", new: 1 }], removed: [], changed: [{ path: "a", old: 1, new: 2 }] });
    expect(first.changelog).toEqual([{ version: "2.0.0", kind: null, description: "a change" }]);
    expect(await getVersionComparison(source, organizationId, { chart, from: "2.0.0", to: "1.0.0" })).toMatchObject({ from: "2.0.0" });
    expect(calls.metadata).toHaveLength(1);

    versions[1]!.archive_sha256 = "sha-rebuilt";
    versions[1]!.values_yaml = "a: 3\n";
    const rebuilt = await getVersionComparison(source, organizationId, { chart, from: "1.0.0", to: "2.0.0" });
    expect(rebuilt.values.changed).toEqual([{ path: "a", old: 1, new: 3 }]);
    expect(calls.metadata).toEqual([[versions[0]!.id, versions[1]!.id], [versions[1]!.id]]);
  });

  it("answers a repeated comparison from its cache until the changelog between the versions changes", async () => {
    const versions = [row("1.0.0", "a: 1\n"), row("3.0.0", "a: 3\n")];
    const { reads } = fakeReads(versions);
    const source = comparisonSource(reads);
    const request = { chart, from: "1.0.0", to: "3.0.0" };
    const first = await getVersionComparison(source, organizationId, request);
    expect(await getVersionComparison(source, organizationId, request)).toBe(first);
    versions.push(row("2.0.0", "a: 2\n", { changes: "- kind: fixed\n  description: a middle release\n" }));
    const later = await getVersionComparison(source, organizationId, request);
    expect(later.changelog).toEqual([{ version: "2.0.0", kind: "fixed", description: "a middle release" }]);
    expect(later.values).toEqual(first.values);
  });

  it("is a not_found for an unknown version and not_extracted for one not ready", async () => {
    const { reads } = fakeReads([row("1.0.0", ""), row("2.0.0", "", { state: "downloaded" })]);
    const source = comparisonSource(reads);
    await expect(getVersionComparison(source, organizationId, { chart, from: "1.0.0", to: "9.0.0" })).rejects.toMatchObject({ code: "not_found" });
    await expect(getVersionComparison(source, organizationId, { chart, from: "2.0.0", to: "1.0.0" })).rejects.toMatchObject({ code: "not_extracted" });
    await expect(getVersionComparison(source, randomUUID(), { chart, from: "1.0.0", to: "1.0.0" })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("checkVersionValues()", () => {
  it("checks a values file against the version's defaults read once", async () => {
    const { reads, calls } = fakeReads([row("1.0.0", "image:\n  tag: x\n")]);
    const source = comparisonSource(reads);
    const ref = { registryId: chart.registryId, chart: chart.name, version: "1.0.0" };
    expect(await checkVersionValues(source, organizationId, ref, "image:\n  tga: y\n")).toEqual({ unknown_keys: [{ path: "image.tga" }], schema_errors: [] });
    expect(await checkVersionValues(source, organizationId, ref, "image:\n  tag: y\n")).toEqual({ unknown_keys: [], schema_errors: [] });
    expect(calls.metadata).toHaveLength(1);
  });
});
