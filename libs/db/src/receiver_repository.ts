import { ConflictError, NotFoundError } from "@charthouse/errors";
import type { KeysetSlice } from "./keyset_slice.ts";
import { isUniqueViolation } from "./pg_errors.ts";
import type { RegistryKind } from "./stored_types.ts";
import type { SqlClient } from "./sql_client.ts";

/** A receiver's public columns (never what proves a sender). */
export interface ReceiverRow {
  id: string;
  name: string;
  kind: string;
  registry_id: string;
  created_at: Date;
}

/** What a receiver keeps to check a sender: a sha256 of the secret, or the secret sealed (HMAC keys). */
export type ReceiverProof = { kind: "hash"; hash: string } | { kind: "sealed"; keyId: string; ciphertext: string };

/** A receiver ready to store. */
export interface NewReceiver {
  id: string;
  name: string;
  kind: string;
  registryId: string;
  proof: ReceiverProof;
}

/** A receiver as an incoming event needs it: its proof, and its registry's organisation, kind and URL. */
export interface ReceiverTarget {
  id: string;
  kind: string;
  organizationId: string;
  registryId: string;
  registryKind: RegistryKind;
  registryUrl: string;
  proof: ReceiverProof;
}

const publicColumns = "id, name, kind, registry_id, created_at";

/** Receivers of push events: what the API manages, and what the hook endpoint looks up. */
export class ReceiverRepository {
  readonly #sql: SqlClient;
  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  /** A slice of an organisation's receivers, ordered by name then id. */
  async list(organizationId: string, slice: KeysetSlice): Promise<ReceiverRow[]> {
    const { after } = slice;
    return after
      ? await this.#sql.query<ReceiverRow>(
          `SELECT ${publicColumns} FROM receivers WHERE organization_id = $1 AND (name, id) > ($3, $4::uuid)
            ORDER BY name, id LIMIT $2`,
          [organizationId, slice.limit, after.name, after.id],
        )
      : await this.#sql.query<ReceiverRow>(`SELECT ${publicColumns} FROM receivers WHERE organization_id = $1 ORDER BY name, id LIMIT $2`, [
          organizationId,
          slice.limit,
        ]);
  }

  /** One receiver of the organisation, or null; another organisation's is null. */
  async get(organizationId: string, id: string): Promise<ReceiverRow | null> {
    const rows = await this.#sql.query<ReceiverRow>(`SELECT ${publicColumns} FROM receivers WHERE organization_id = $1 AND id = $2`, [
      organizationId,
      id,
    ]);
    return rows[0] ?? null;
  }

  /** Inserts a receiver for a registry of the organisation; a taken name is a conflict, another organisation's registry not found. */
  async insert(organizationId: string, receiver: NewReceiver): Promise<void> {
    const { proof } = receiver;
    try {
      const rows = await this.#sql.query<{ id: string }>(
        `INSERT INTO receivers (id, organization_id, registry_id, name, kind, secret_hash, secret_key_id, secret_ciphertext)
         SELECT $1, $2, r.id, $4, $5, $6, $7, $8 FROM registries r WHERE r.id = $3 AND r.organization_id = $2
         RETURNING id`,
        [
          receiver.id,
          organizationId,
          receiver.registryId,
          receiver.name,
          receiver.kind,
          proof.kind === "hash" ? proof.hash : null,
          proof.kind === "sealed" ? proof.keyId : null,
          proof.kind === "sealed" ? proof.ciphertext : null,
        ],
      );
      if (rows.length === 0) throw new NotFoundError(`No registry with id ${receiver.registryId}`);
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new ConflictError(`A receiver named "${receiver.name}" already exists`, {
          cause: err,
          solution: "Use another name, or delete the receiver that has it",
        });
      }
      throw err;
    }
  }

  /** Deletes a receiver of the organisation (its remembered deliveries go with it). */
  async delete(organizationId: string, id: string): Promise<void> {
    const rows = await this.#sql.query<{ id: string }>("DELETE FROM receivers WHERE organization_id = $1 AND id = $2 RETURNING id", [
      organizationId,
      id,
    ]);
    if (rows.length === 0) throw new NotFoundError(`No receiver with id ${id}`);
  }

  /** The receiver an event is addressed to, with its proof and registry, or null. */
  async target(id: string): Promise<ReceiverTarget | null> {
    const rows = await this.#sql.query<{
      id: string;
      kind: string;
      organization_id: string;
      registry_id: string;
      registry_kind: RegistryKind;
      registry_url: string;
      secret_hash: string | null;
      secret_key_id: string | null;
      secret_ciphertext: string | null;
    }>(
      `SELECT v.id, v.kind, v.organization_id, v.registry_id, r.kind AS registry_kind, r.url AS registry_url,
              v.secret_hash, v.secret_key_id, v.secret_ciphertext
         FROM receivers v JOIN registries r ON r.id = v.registry_id WHERE v.id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return null;
    const proof: ReceiverProof =
      row.secret_hash !== null
        ? { kind: "hash", hash: row.secret_hash }
        : { kind: "sealed", keyId: row.secret_key_id ?? "", ciphertext: row.secret_ciphertext ?? "" };
    return {
      id: row.id,
      kind: row.kind,
      organizationId: row.organization_id,
      registryId: row.registry_id,
      registryKind: row.registry_kind,
      registryUrl: row.registry_url,
      proof,
    };
  }

  /**
   * Remembers a delivery id for a receiver; false when it was already remembered (a replay).
   * Ids older than `keepSeconds` are forgotten on the way.
   */
  async rememberDelivery(receiverId: string, deliveryId: string, keepSeconds: number): Promise<boolean> {
    await this.#sql.query("DELETE FROM receiver_deliveries WHERE received_at < now() - make_interval(secs => $1)", [keepSeconds]);
    const rows = await this.#sql.query<{ delivery_id: string }>(
      `INSERT INTO receiver_deliveries (receiver_id, delivery_id) VALUES ($1, $2)
       ON CONFLICT (receiver_id, delivery_id) DO NOTHING RETURNING delivery_id`,
      [receiverId, deliveryId],
    );
    return rows.length > 0;
  }

  /** Forgets a delivery id, so the sender's retry of a delivery that failed on our side is taken. */
  async forgetDelivery(receiverId: string, deliveryId: string): Promise<void> {
    await this.#sql.query("DELETE FROM receiver_deliveries WHERE receiver_id = $1 AND delivery_id = $2", [receiverId, deliveryId]);
  }
}
