import { randomUUID } from "node:crypto";
import { validatePayload, type Contract } from "@charthouse/contracts";
import type { VersionWork } from "@charthouse/db";
import { IntegrityError, UpstreamError, type StoredError } from "@charthouse/errors";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { versionFailureHandling, type VersionFailureDependencies } from "./version_failure_handling.ts";

function workOf(): VersionWork {
  return {
    id: randomUUID(),
    state: "failed",
    chart: "web",
    version: "1.0.0",
    digest: null,
    archiveSha256: null,
    size: null,
    requeues: 0,
    registry: { id: randomUUID(), organizationId: randomUUID(), url: "http://charts.example", credential: null },
  };
}

/** One version in memory (or none), recording what was written to it and what was published. */
function fakes(work: VersionWork | null): VersionFailureDependencies & {
  retries: StoredError[];
  failures: StoredError[];
  published: { subject: string; payload: unknown }[];
} {
  const retries: StoredError[] = [];
  const failures: StoredError[] = [];
  const published: { subject: string; payload: unknown }[] = [];
  return {
    retries,
    failures,
    published,
    versions: {
      recordRetry: (_id, error) => {
        retries.push(error);
        return Promise.resolve();
      },
      markFailed: (_ids, error) => {
        failures.push(error);
        return Promise.resolve();
      },
      work: () => Promise.resolve(work),
    },
    publisher: {
      publish: <S extends z.ZodType>(contract: Contract<S>, payload: unknown) => {
        published.push({ subject: contract.subject, payload: validatePayload(contract, payload) });
        return Promise.resolve();
      },
    },
  };
}

describe("versionFailureHandling()", () => {
  it("records a passing failure on the version without failing it or announcing anything", async () => {
    const work = workOf();
    const deps = fakes(work);
    await versionFailureHandling(deps).onRetry({ versionId: work.id }, new UpstreamError("registry_error", "503 from the registry", { status: 503 }));
    expect(deps.retries.map((e) => e.code)).toEqual(["registry_error"]);
    expect(deps.failures).toEqual([]);
    expect(deps.published).toEqual([]);
  });

  it("fails the version for good and announces chart.version.failed with the stored error", async () => {
    const work = workOf();
    const deps = fakes(work);
    await versionFailureHandling(deps).onGiveUp({ versionId: work.id }, new IntegrityError("sha256 differs"));
    expect(deps.failures.map((e) => e.code)).toEqual(["digest_mismatch"]);
    expect(deps.published).toEqual([
      {
        subject: "chart.version.failed.v1",
        payload: {
          organizationId: work.registry.organizationId,
          registryId: work.registry.id,
          versionId: work.id,
          chart: "web",
          version: "1.0.0",
          error: deps.failures[0],
          at: expect.any(String) as unknown,
        },
      },
    ]);
  });

  it("announces nothing for a version deleted meanwhile", async () => {
    const deps = fakes(null);
    await versionFailureHandling(deps).onGiveUp({ versionId: randomUUID() }, new Error("boom"));
    expect(deps.failures.map((e) => e.code)).toEqual(["internal"]);
    expect(deps.published).toEqual([]);
  });
});
