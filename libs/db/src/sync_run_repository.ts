import type { SqlClient } from "./sql_client.ts";
import { sealedCredentialColumns, sealedCredentialOf, type SealedCredential, type SealedCredentialRow } from "./sealed_credential.ts";
import { LEASE_SECONDS, type LeaseAttempt, type LeasedSync, type SyncResult, type SyncRunStore } from "@charthouse/catalog";
import type { StoredError } from "@charthouse/errors";
import type { RegistryKind } from "./stored_types.ts";
import { BatchedStatement } from "./batched_statement.ts";

/** A sync that has been asked for and must be published. */
export interface RequestedSync {
  registryId: string;
  kind: RegistryKind;
  syncRunId: string;
  trigger: "schedule" | "manual" | "create" | "push";
  requestedAt: string;
}

/** Sync runs and the sync state of registries: claims, leases, outcomes. */
export class SyncRunRepository implements SyncRunStore<SealedCredential> {
  readonly #db: SqlClient;
  /** Leases and finishes of concurrent syncs, each batch one statement (see BatchedStatement). */
  readonly #leases: BatchedStatement<string, RawLeased | null>;
  readonly #finishes: BatchedStatement<{ syncRunId: string; result: SyncResult }, void>;
  constructor(db: SqlClient) {
    this.#db = db;
    this.#leases = new BatchedStatement((ids) => this.#leaseMany(ids));
    this.#finishes = new BatchedStatement((items) => this.#finishMany(items));
  }

  /**
   * Claims registries whose next sync is due, creates their sync runs and moves next_sync_at, in
   * one statement. Row locks with SKIP LOCKED make any number of schedulers safe. The next sync is
   * one interval after the one due, not after the claim, so a registry syncs every interval rather
   * than every interval plus the tick and queue delay; one that fell a whole interval behind starts
   * over from now instead of catching up in a burst.
   */
  async claimDue(limit: number): Promise<RequestedSync[]> {
    const rows: RawRequested[] = await this.#db.query(`WITH due AS (
         SELECT id FROM registries
          WHERE next_sync_at <= now() AND active_sync_id IS NULL
          ORDER BY next_sync_at
          LIMIT $1
          FOR UPDATE SKIP LOCKED
       ), runs AS (
         INSERT INTO sync_runs (registry_id, trigger) SELECT id, 'schedule' FROM due
         RETURNING id, registry_id, requested_at
       )
       UPDATE registries r
          SET active_sync_id = runs.id,
              next_sync_at = CASE WHEN r.sync_interval_seconds = 0 THEN NULL
                                  WHEN r.next_sync_at + make_interval(secs => r.sync_interval_seconds) > now()
                                  THEN r.next_sync_at + make_interval(secs => r.sync_interval_seconds)
                                  ELSE now() + make_interval(secs => r.sync_interval_seconds) END
         FROM runs
        WHERE r.id = runs.registry_id
       RETURNING r.id AS registry_id, r.kind, runs.id AS sync_run_id, 'schedule' AS trigger, runs.requested_at`,
      [limit],
    );
    return rows.map(toRequested);
  }

  /**
   * Asks for a sync now. A sync already queued or running for the registry is reused, so two
   * clicks never make two syncs. A push that finds a run it may not be covered by (one that has
   * started, so may have read the registry before the push, or another push's, which may read
   * another repository only) makes the registry due at once: the scheduler syncs it again as
   * soon as that run ends, so no push is lost to a busy registry.
   */
  async request(registryId: string, trigger: "manual" | "push"): Promise<RequestedSync & { reused: boolean }> {
    return await this.#db.transaction(async (tx) => {
      const [registry]: { kind: RegistryKind; active_sync_id: string | null }[] = await tx.query("SELECT kind, active_sync_id FROM registries WHERE id = $1 FOR UPDATE",
        [registryId],
      );
      if (!registry) throw new Error(`Registry ${registryId} vanished while requesting a sync`);
      if (registry.active_sync_id) {
        const [active]: (RawRequested & { started: boolean })[] = await tx.query(`SELECT registry_id, $2::text AS kind, id AS sync_run_id, trigger, requested_at, started_at IS NOT NULL AS started
             FROM sync_runs WHERE id = $1 AND finished_at IS NULL`,
          [registry.active_sync_id, registry.kind],
        );
        if (active) {
          if (trigger === "push" && (active.started || active.trigger === "push")) {
            await tx.query("UPDATE registries SET next_sync_at = now() WHERE id = $1 AND (next_sync_at IS NULL OR next_sync_at > now())", [registryId]);
          }
          return { ...toRequested(active), reused: true };
        }
      }
      const [run]: RawRequested[] = await tx.query(`INSERT INTO sync_runs (registry_id, trigger) VALUES ($1, $2)
         RETURNING registry_id, $3::text AS kind, id AS sync_run_id, trigger, requested_at`,
        [registryId, trigger, registry.kind],
      );
      await tx.query("UPDATE registries SET active_sync_id = $2 WHERE id = $1", [registryId, run!.sync_run_id]);
      return { ...toRequested(run!), reused: false };
    });
  }

  /**
   * Requests the first sync (trigger "create") of registries just inserted, in one statement. A
   * registry that already has an active sync keeps it and is left out of the answer.
   */
  async requestFirst(registryIds: readonly string[]): Promise<RequestedSync[]> {
    const rows: RawRequested[] = await this.#db.query(`WITH fresh AS (
         SELECT id, kind FROM registries WHERE id = ANY($1::uuid[]) AND active_sync_id IS NULL FOR UPDATE
       ), runs AS (
         INSERT INTO sync_runs (registry_id, trigger) SELECT id, 'create' FROM fresh
         RETURNING id, registry_id, trigger, requested_at
       ), marked AS (
         UPDATE registries r SET active_sync_id = runs.id FROM runs WHERE r.id = runs.registry_id
       )
       SELECT runs.registry_id, fresh.kind, runs.id AS sync_run_id, runs.trigger, runs.requested_at
         FROM runs JOIN fresh ON fresh.id = runs.registry_id`,
      [registryIds],
    );
    return rows.map(toRequested);
  }

  /**
   * Takes the lease on a sync run for this delivery; says when another copy holds it right now
   * (a duplicate delivery), or when the run is finished or gone.
   */
  async lease(syncRunId: string): Promise<LeaseAttempt<SealedCredential>> {
    const row = await this.#leases.submit(syncRunId);
    if (!row) {
      const [held] = await this.#db.query<{ remaining_ms: number }>(`SELECT greatest(0, extract(epoch FROM lease_until - now()) * 1000)::integer AS remaining_ms
           FROM sync_runs WHERE id = $1 AND finished_at IS NULL AND lease_until >= now()`,
        [syncRunId],
      );
      return held ? { kind: "held", retryAfterMs: held.remaining_ms } : { kind: "done" };
    }
    const sync: LeasedSync<SealedCredential> = {
      syncRunId: row.sync_run_id,
      attempts: row.attempts,
      registry: {
        id: row.id,
        organizationId: row.organization_id,
        name: row.name,
        url: row.url,
        kind: row.kind,
        etag: row.etag,
        lastModified: row.last_modified,
        contentHash: row.content_hash,
        credential: sealedCredentialOf(row),
      },
    };
    return { kind: "leased", sync };
  }

  /**
   * Leases the runs of a batch in one statement; each id gets its row, or null when it was not
   * leased (finished, held, or the same run asked twice in the batch: only the first gets it).
   */
  async #leaseMany(syncRunIds: readonly string[]): Promise<Array<RawLeased | null>> {
    const rows: RawLeased[] = await this.#db.query(`WITH leased AS (
         UPDATE sync_runs SET started_at = coalesce(started_at, now()), attempts = attempts + 1,
                lease_until = now() + make_interval(secs => $2)
          WHERE id = ANY($1::uuid[]) AND finished_at IS NULL AND (lease_until IS NULL OR lease_until < now())
         RETURNING id, registry_id, attempts
       )
       SELECT leased.id AS sync_run_id, leased.attempts, m.id, m.organization_id, m.name, m.url, m.kind,
              m.etag, m.last_modified, m.content_hash,
              ${sealedCredentialColumns}
         FROM leased JOIN registries m ON m.id = leased.registry_id
         LEFT JOIN credentials cr ON cr.id = m.credential_id`,
      [syncRunIds, LEASE_SECONDS],
      { prepareAs: "sync_runs.leaseMany" },
    );
    const byId = new Map(rows.map((row) => [row.sync_run_id, row]));
    return syncRunIds.map((id) => {
      const row = byId.get(id) ?? null;
      byId.delete(id);
      return row;
    });
  }

  /** Extends the lease while the work goes on (not once a failed attempt has let it go). */
  async renewLease(syncRunId: string): Promise<void> {
    await this.#db.query(`UPDATE sync_runs SET lease_until = now() + make_interval(secs => $2)
        WHERE id = $1 AND finished_at IS NULL AND lease_until IS NOT NULL`,
      [syncRunId, LEASE_SECONDS],
    );
  }

  /** Records a successful sync on the run and its registry, and frees the registry. */
  async finish(syncRunId: string, result: SyncResult): Promise<void> {
    await this.#finishes.submit({ syncRunId, result });
  }

  /** Records the outcomes of a batch of syncs in one statement. */
  async #finishMany(items: ReadonlyArray<{ syncRunId: string; result: SyncResult }>): Promise<void[]> {
    const column = <T>(of: (result: SyncResult) => T) => items.map(({ result }) => of(result));
    await this.#db.query(`WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::integer[], $4::bigint[], $5::integer[], $6::integer[],
                              $7::integer[], $8::text[], $9::text[], $10::text[], $11::jsonb[])
                AS t(id, outcome, http_status, bytes, charts_seen, versions_added, versions_removed, etag, last_modified, content_hash, notes)
       ), run AS (
         UPDATE sync_runs s SET finished_at = now(), outcome = i.outcome, http_status = i.http_status, bytes = i.bytes,
                charts_seen = i.charts_seen, versions_added = i.versions_added, versions_removed = i.versions_removed,
                error = NULL, lease_until = NULL, notes = i.notes,
                duration_ms = (extract(epoch FROM now() - s.started_at) * 1000)::integer
           FROM input i
          WHERE s.id = i.id AND s.finished_at IS NULL
         RETURNING s.id, s.registry_id, s.finished_at
       )
       UPDATE registries r SET state = 'ok', last_sync_at = run.finished_at, last_success_at = run.finished_at,
              last_outcome = i.outcome, last_error = NULL, etag = i.etag, last_modified = i.last_modified, content_hash = i.content_hash,
              active_sync_id = CASE WHEN r.active_sync_id = run.id THEN NULL ELSE r.active_sync_id END
         FROM run JOIN input i ON i.id = run.id
        WHERE r.id = run.registry_id`,
      [
        items.map((item) => item.syncRunId),
        column((r) => r.outcome),
        column((r) => r.httpStatus),
        column((r) => r.bytes),
        column((r) => r.chartsSeen),
        column((r) => r.versionsAdded),
        column((r) => r.versionsRemoved),
        column((r) => r.etag),
        column((r) => r.lastModified),
        column((r) => r.contentHash),
        column((r) => (r.notes === undefined || r.notes.length === 0 ? null : JSON.stringify(r.notes))),
      ],
      { prepareAs: "sync_runs.finishMany" },
    );
    return items.map(() => undefined);
  }

  /** Records a failed attempt that will be retried: the registry shows the error meanwhile. */
  async recordRetry(syncRunId: string, error: StoredError): Promise<void> {
    await this.#db.query(`WITH run AS (UPDATE sync_runs SET error = $2, lease_until = NULL WHERE id = $1 AND finished_at IS NULL RETURNING registry_id)
       UPDATE registries r SET state = 'error', last_error = $2 FROM run WHERE r.id = run.registry_id`,
      [syncRunId, JSON.stringify(error)],
    );
  }

  /**
   * Records a sync that failed for good, and frees the registry for its next scheduled sync.
   * Returns the registry's organisation, or null when the run was already finished.
   */
  async fail(syncRunId: string, error: StoredError, httpStatus: number | null = null): Promise<{ organizationId: string; registryId: string } | null> {
    const rows: { organization_id: string; registry_id: string }[] = await this.#db.query(`WITH run AS (
         UPDATE sync_runs SET finished_at = now(), outcome = 'failed', error = $2, http_status = $3, lease_until = NULL,
                duration_ms = (extract(epoch FROM now() - coalesce(started_at, requested_at)) * 1000)::integer
          WHERE id = $1 AND finished_at IS NULL
         RETURNING registry_id, finished_at
       )
       UPDATE registries r SET state = 'error', last_sync_at = run.finished_at, last_outcome = 'failed', last_error = $2,
              active_sync_id = CASE WHEN r.active_sync_id = $1 THEN NULL ELSE r.active_sync_id END
         FROM run WHERE r.id = run.registry_id
       RETURNING r.organization_id, r.id AS registry_id`,
      [syncRunId, JSON.stringify(error), httpStatus],
    );
    const row = rows[0];
    return row ? { organizationId: row.organization_id, registryId: row.registry_id } : null;
  }

  /**
   * Sync runs whose message was lost (never leased, or lease expired long ago): the scheduler
   * publishes them again. Those older than `abandonAfterSeconds` are failed so nothing stays stuck.
   */
  async findStalled(options: { republishAfterSeconds: number; abandonAfterSeconds: number }): Promise<RequestedSync[]> {
    await this.#db.query(`WITH abandoned AS (
         UPDATE sync_runs SET finished_at = now(), outcome = 'failed', lease_until = NULL,
                error = '{"code":"timeout","message":"The sync did not finish in time and was abandoned","cause":null,"solution":"Check connectivity to the registry (network, firewall)"}'
          WHERE finished_at IS NULL AND requested_at < now() - make_interval(secs => $1)
            AND (lease_until IS NULL OR lease_until < now())
         RETURNING id, registry_id
       )
       UPDATE registries r SET active_sync_id = NULL, state = 'error', last_outcome = 'failed'
         FROM abandoned WHERE r.id = abandoned.registry_id AND r.active_sync_id = abandoned.id`,
      [options.abandonAfterSeconds],
    );
    const rows: RawRequested[] = await this.#db.query(`SELECT s.registry_id, r.kind, s.id AS sync_run_id, s.trigger, s.requested_at
         FROM sync_runs s JOIN registries r ON r.id = s.registry_id
        WHERE s.finished_at IS NULL AND s.requested_at < now() - make_interval(secs => $1)
          AND (s.lease_until IS NULL OR s.lease_until < now() - make_interval(secs => $1))
        LIMIT 1000`,
      [options.republishAfterSeconds],
    );
    return rows.map(toRequested);
  }
}

interface RawRequested {
  registry_id: string;
  kind: RegistryKind;
  sync_run_id: string;
  trigger: "schedule" | "manual" | "create" | "push";
  requested_at: Date;
}

interface RawLeased extends SealedCredentialRow {
  sync_run_id: string;
  attempts: number;
  id: string;
  organization_id: string;
  name: string;
  url: string;
  kind: RegistryKind;
  etag: string | null;
  last_modified: string | null;
  content_hash: string | null;
}

function toRequested(row: RawRequested): RequestedSync {
  return {
    registryId: row.registry_id,
    kind: row.kind,
    syncRunId: row.sync_run_id,
    trigger: row.trigger,
    requestedAt: new Date(row.requested_at).toISOString(),
  };
}
