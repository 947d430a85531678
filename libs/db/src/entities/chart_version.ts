import { EntitySchema } from "typeorm";
import type { StoredError } from "@charthouse/errors";

/** The life of a version: discovered -> downloaded -> ready | failed; removed is a tombstone. */
export type ChartVersionState = "discovered" | "downloaded" | "ready" | "failed" | "removed";

/** One version of a chart, from the index entry to the extracted files. */
export interface ChartVersion {
  id: string;
  chartId: string;
  registryId: string;
  version: string;
  appVersion: string | null;
  description: string | null;
  created: string | null;
  digest: string | null;
  deprecated: boolean;
  state: ChartVersionState;
  error: StoredError | null;
  attempts: number;
  urls: string[];
  ociReference: string | null;
  /** The OCI manifest digest the version was read from (sha256:...), to notice a re-pushed tag. */
  manifestDigest: string | null;
  /** Where the archive is fetched from: an http(s) URL, or oci://HOST/REPOSITORY@sha256:HEX. */
  downloadUrl: string | null;
  /** How often the version was re-opened (stuck, failed and retried, replayed). */
  requeues: number;
  archiveSha256: string | null;
  size: string | null;
  indexMetadata: Record<string, unknown>;
  chartYaml: Record<string, unknown> | null;
  readme: string | null;
  valuesYaml: string | null;
  valuesSchema: unknown;
  valuesSchemaError: string | null;
  discoveredAt: Date;
  updatedAt: Date;
  removedAt: Date | null;
}

export const ChartVersionEntity = new EntitySchema<ChartVersion>({
  name: "ChartVersion",
  tableName: "chart_versions",
  columns: {
    id: { type: "uuid", primary: true, generated: "uuid" },
    chartId: { name: "chart_id", type: "uuid" },
    registryId: { name: "registry_id", type: "uuid" },
    version: { type: "text" },
    appVersion: { name: "app_version", type: "text", nullable: true },
    description: { type: "text", nullable: true },
    created: { type: "text", nullable: true },
    digest: { type: "text", nullable: true },
    deprecated: { type: "boolean" },
    state: { type: "text" },
    error: { type: "jsonb", nullable: true },
    attempts: { type: "integer" },
    urls: { type: "text", array: true },
    ociReference: { name: "oci_reference", type: "text", nullable: true },
    manifestDigest: { name: "manifest_digest", type: "text", nullable: true },
    downloadUrl: { name: "download_url", type: "text", nullable: true },
    requeues: { type: "integer", default: 0 },
    archiveSha256: { name: "archive_sha256", type: "text", nullable: true },
    size: { type: "bigint", nullable: true },
    indexMetadata: { name: "index_metadata", type: "jsonb" },
    chartYaml: { name: "chart_yaml", type: "jsonb", nullable: true },
    readme: { type: "text", nullable: true },
    valuesYaml: { name: "values_yaml", type: "text", nullable: true },
    valuesSchema: { name: "values_schema", type: "jsonb", nullable: true },
    valuesSchemaError: { name: "values_schema_error", type: "text", nullable: true },
    discoveredAt: { name: "discovered_at", type: "timestamptz" },
    updatedAt: { name: "updated_at", type: "timestamptz", updateDate: true },
    removedAt: { name: "removed_at", type: "timestamptz", nullable: true },
  },
});
