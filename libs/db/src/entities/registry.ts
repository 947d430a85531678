import { EntitySchema } from "typeorm";
import type { StoredError } from "@charthouse/errors";

/** The kinds of registry. */
export type RegistryKind = "http_registry" | "oci_registry";

/** A registry a user added: its sync configuration, change validators and last outcome. */
export interface Registry {
  id: string;
  organizationId: string;
  name: string;
  url: string;
  kind: RegistryKind;
  credentialId: string | null;
  syncIntervalSeconds: number;
  nextSyncAt: Date | null;
  state: string;
  lastSyncAt: Date | null;
  lastSuccessAt: Date | null;
  lastOutcome: "updated" | "unchanged" | "failed" | null;
  lastError: StoredError | null;
  etag: string | null;
  lastModified: string | null;
  contentHash: string | null;
  activeSyncId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const RegistryEntity = new EntitySchema<Registry>({
  name: "Registry",
  tableName: "registries",
  columns: {
    id: { type: "uuid", primary: true, generated: "uuid" },
    organizationId: { name: "organization_id", type: "uuid" },
    name: { type: "text" },
    url: { type: "text" },
    kind: { type: "text" },
    credentialId: { name: "credential_id", type: "uuid", nullable: true },
    syncIntervalSeconds: { name: "sync_interval_seconds", type: "integer" },
    nextSyncAt: { name: "next_sync_at", type: "timestamptz", nullable: true },
    state: { type: "text" },
    lastSyncAt: { name: "last_sync_at", type: "timestamptz", nullable: true },
    lastSuccessAt: { name: "last_success_at", type: "timestamptz", nullable: true },
    lastOutcome: { name: "last_outcome", type: "text", nullable: true },
    lastError: { name: "last_error", type: "jsonb", nullable: true },
    etag: { type: "text", nullable: true },
    lastModified: { name: "last_modified", type: "text", nullable: true },
    contentHash: { name: "content_hash", type: "text", nullable: true },
    activeSyncId: { name: "active_sync_id", type: "uuid", nullable: true },
    createdAt: { name: "created_at", type: "timestamptz", createDate: true },
    updatedAt: { name: "updated_at", type: "timestamptz", updateDate: true },
  },
});
