import type { ChartVersionState, VersionFile, VersionRef } from "@charthouse/db";
import { NotFoundError } from "@charthouse/errors";
import type { ApiRepositories } from "../api_repositories.ts";
import { versionNotFound } from "./version_queries.ts";

const fileLabels: Record<VersionFile, string> = {
  readme: "a README",
  values: "a values.yaml",
  schema: "a values.schema.json",
};

/**
 * The text of a version's README, values.yaml or values.schema.json. 404 `not_extracted` while
 * the version is not ready, `not_found` when the chart has no such file.
 */
export async function getVersionFile(db: ApiRepositories, organizationId: string, ref: VersionRef, file: VersionFile): Promise<string> {
  const row = await db.catalog.getVersionFile(organizationId, ref, file);
  if (!row) throw versionNotFound(ref);
  if (row.state !== "ready") throw notExtracted(ref, row.state);
  if (row.content === null) {
    throw new NotFoundError(`Version "${ref.version}" of chart "${ref.chart}" has no ${fileLabels[file].replace(/^an? /, "")}`, {
      solution: `The chart's archive does not contain ${fileLabels[file]}`,
    });
  }
  return row.content;
}

/** The sha256 of a version's stored archive; 404 `not_extracted` while it is not downloaded. */
export async function getArchiveDigest(db: ApiRepositories, organizationId: string, ref: VersionRef): Promise<string> {
  const row = await db.catalog.getArchiveDigest(organizationId, ref);
  if (!row) throw versionNotFound(ref);
  if (row.archive_sha256 === null) throw notExtracted(ref, row.state);
  return row.archive_sha256;
}

/** The 404 `not_extracted` of a version that exists but is not ready. */
export function notExtracted(ref: VersionRef, state: ChartVersionState): NotFoundError {
  return new NotFoundError(`Version "${ref.version}" of chart "${ref.chart}" is ${state}, not ready yet`, {
    code: "not_extracted",
    ...(state === "failed" ? { solution: "The version failed: see its error, then sync the registry again" } : {}),
  });
}
