import type { ChartVersionState, DataSource } from "@charthouse/db";
import { NotFoundError } from "@charthouse/errors";
import { queryRows } from "@charthouse/db";
import { versionNotFound } from "./version_queries.ts";

/** A file a ready version may have, read from its archive by the metadata extractor. */
export type VersionFile = "readme" | "values" | "schema";

/** Which version a file request is about. */
export interface VersionRef {
  registryId: string;
  chart: string;
  version: string;
}

const fileColumns: Record<VersionFile, { sql: string; label: string }> = {
  readme: { sql: "v.readme", label: "a README" },
  values: { sql: "v.values_yaml", label: "a values.yaml" },
  schema: { sql: "v.values_schema::text", label: "a values.schema.json" },
};

const scope = `FROM chart_versions v JOIN charts c ON c.id = v.chart_id JOIN registries r ON r.id = v.registry_id
               WHERE r.organization_id = $1 AND v.registry_id = $2 AND c.name = $3 AND v.version = $4`;

/**
 * The text of a version's README, values.yaml or values.schema.json. 404 `not_extracted` while
 * the version is not ready, `not_found` when the chart has no such file.
 */
export async function getVersionFile(db: DataSource, organizationId: string, ref: VersionRef, file: VersionFile): Promise<string> {
  const rows = await queryRows<{ state: ChartVersionState; content: string | null }>(
    db,
    `SELECT v.state, ${fileColumns[file].sql} AS content ${scope}`,
    [organizationId, ref.registryId, ref.chart, ref.version],
  );
  const row = rows[0];
  if (!row) throw versionNotFound(ref);
  if (row.state !== "ready") throw notExtracted(ref, row.state);
  if (row.content === null) {
    throw new NotFoundError(`Version "${ref.version}" of chart "${ref.chart}" has no ${fileColumns[file].label.replace(/^an? /, "")}`, {
      solution: `The chart's archive does not contain ${fileColumns[file].label}`,
    });
  }
  return row.content;
}

/** The sha256 of a version's stored archive; 404 `not_extracted` while it is not downloaded. */
export async function getArchiveDigest(db: DataSource, organizationId: string, ref: VersionRef): Promise<string> {
  const rows = await queryRows<{ state: ChartVersionState; archive_sha256: string | null }>(
    db,
    `SELECT v.state, v.archive_sha256 ${scope}`,
    [organizationId, ref.registryId, ref.chart, ref.version],
  );
  const row = rows[0];
  if (!row) throw versionNotFound(ref);
  if (row.archive_sha256 === null) throw notExtracted(ref, row.state);
  return row.archive_sha256;
}

function notExtracted(ref: VersionRef, state: ChartVersionState): NotFoundError {
  return new NotFoundError(`Version "${ref.version}" of chart "${ref.chart}" is ${state}, not ready yet`, {
    code: "not_extracted",
    ...(state === "failed" ? { solution: "The version failed: see its error, then sync the registry again" } : {}),
  });
}
