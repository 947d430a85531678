import { createHash } from "node:crypto";
import type { JetStreamClient, JetStreamManager, ObjectStore } from "nats";
import { StorageType } from "nats";
import { UnavailableError } from "@charthouse/errors";

/** How the object store names a bucket's stream and an object's chunks (NATS's object store layout). */
const streamOf = (bucket: string): string => `OBJ_${bucket}`;
const chunkSubject = (bucket: string, nuid: string): string => `$O.${bucket}.C.${nuid}`;

/**
 * Chart archives, content-addressed by sha256 in a JetStream object store bucket: replicated with
 * NATS, shared by every copy of every service, and never stored twice.
 */
export class ArchiveStore {
  readonly #store: ObjectStore;
  readonly #jsm: JetStreamManager;
  readonly #bucket: string;
  private constructor(store: ObjectStore, jsm: JetStreamManager, bucket: string) {
    this.#store = store;
    this.#jsm = jsm;
    this.#bucket = bucket;
  }

  /** Opens (or creates) the bucket. */
  static async open(js: JetStreamClient, bucket: string): Promise<ArchiveStore> {
    const store = await js.views.os(bucket, { storage: StorageType.File });
    return new ArchiveStore(store, await js.jetstreamManager(), bucket);
  }

  /** The stored size of the archive with this sha256, or null when it is not stored. */
  async sizeOf(sha256: string): Promise<number | null> {
    const info = await this.#store.info(sha256);
    return info === null || info.deleted ? null : info.size;
  }

  /** Stores verified archive bytes under their sha256 (a no-op when already there). */
  async put(sha256: string, bytes: Uint8Array): Promise<void> {
    if ((await this.sizeOf(sha256)) !== null) return;
    try {
      await this.#store.putBlob({ name: sha256 }, bytes);
    } catch (err) {
      throw new UnavailableError(`Cannot store archive ${sha256}`, { code: "unavailable", cause: err });
    }
  }

  /**
   * The archive's bytes, or null when it is not stored. A chart archive is nearly always one
   * chunk: that chunk is read with one request and checked against the object's digest, instead
   * of the ordered consumer the object store creates (and deletes) for every read.
   */
  async get(sha256: string): Promise<Uint8Array | null> {
    const info = await this.#store.info(sha256);
    if (info === null || info.deleted) return null;
    if (info.chunks !== 1 || info.options?.link !== undefined) return await this.#store.getBlob(sha256);
    const chunk = await this.#jsm.streams.getMessage(streamOf(this.#bucket), { last_by_subj: chunkSubject(this.#bucket, info.nuid) });
    // The stored digest is "SHA-256=" and base64 (URL-safe or not); Node's base64 decoder reads both.
    const stored = info.digest.startsWith("SHA-256=") ? Buffer.from(info.digest.slice("SHA-256=".length), "base64") : null;
    if (stored === null || !createHash("sha256").update(chunk.data).digest().equals(stored)) {
      throw new UnavailableError(`Archive ${sha256} came back from the store not matching its digest ${info.digest}`, { code: "unavailable" });
    }
    return chunk.data;
  }

  /** Every stored archive (deleted ones left out), read from the bucket's metadata only. */
  async list(): Promise<StoredArchive[]> {
    try {
      const infos = await this.#store.list();
      return infos.map((info) => ({ sha256: info.name, size: info.size, storedAt: new Date(info.mtime) }));
    } catch (err) {
      throw new UnavailableError("Cannot list the stored archives", { code: "unavailable", cause: err });
    }
  }

  /**
   * Deletes the archive with this sha256; false when it was not stored. Callers hold the exclusive
   * `archive-store:<sha256>` lock and have checked that no version references it.
   */
  async delete(sha256: string): Promise<boolean> {
    if ((await this.sizeOf(sha256)) === null) return false;
    try {
      await this.#store.delete(sha256);
      return true;
    } catch (err) {
      throw new UnavailableError(`Cannot delete archive ${sha256}`, { code: "unavailable", cause: err });
    }
  }

  /** Bytes the bucket takes in JetStream (archives and their metadata). */
  async storedBytes(): Promise<number> {
    try {
      return (await this.#store.status()).size;
    } catch (err) {
      throw new UnavailableError("Cannot read the archive store's size", { code: "unavailable", cause: err });
    }
  }
}

/** One archive in the store, as a listing reports it. */
export interface StoredArchive {
  sha256: string;
  size: number;
  /** When it was stored (the writer's clock). */
  storedAt: Date;
}
