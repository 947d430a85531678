import { EntitySchema } from "typeorm";
import type { StoredError } from "@charthouse/errors";

/** One sync of one registry: why it ran, what it cost and what it changed. */
export interface SyncRun {
  id: string;
  registryId: string;
  trigger: "schedule" | "manual" | "create";
  requestedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  outcome: "updated" | "unchanged" | "failed" | null;
  httpStatus: number | null;
  bytes: string | null;
  chartsSeen: number | null;
  versionsAdded: number | null;
  versionsRemoved: number | null;
  durationMs: number | null;
  attempts: number;
  error: StoredError | null;
  /** What a sync met that is not an error: artifacts skipped, rate limits waited out. */
  notes: SyncNote[] | null;
}

/** A note on a sync run: a code of the error table and what it was about. */
export interface SyncNote {
  code: string;
  message: string;
  /** How many times it happened in this sync. */
  count: number;
}

export const SyncRunEntity = new EntitySchema<SyncRun>({
  name: "SyncRun",
  tableName: "sync_runs",
  columns: {
    id: { type: "uuid", primary: true, generated: "uuid" },
    registryId: { name: "registry_id", type: "uuid" },
    trigger: { type: "text" },
    requestedAt: { name: "requested_at", type: "timestamptz" },
    startedAt: { name: "started_at", type: "timestamptz", nullable: true },
    finishedAt: { name: "finished_at", type: "timestamptz", nullable: true },
    outcome: { type: "text", nullable: true },
    httpStatus: { name: "http_status", type: "integer", nullable: true },
    bytes: { type: "bigint", nullable: true },
    chartsSeen: { name: "charts_seen", type: "integer", nullable: true },
    versionsAdded: { name: "versions_added", type: "integer", nullable: true },
    versionsRemoved: { name: "versions_removed", type: "integer", nullable: true },
    durationMs: { name: "duration_ms", type: "integer", nullable: true },
    attempts: { type: "integer" },
    error: { type: "jsonb", nullable: true },
    notes: { type: "jsonb", nullable: true },
  },
});
