import type { BuiltHelmIndex, HelmIndexEntryPages, HelmIndexState, StoredHelmIndexBytes } from "@charthouse/db";
import { NotFoundError, UnavailableError } from "@charthouse/errors";
import type { Logger } from "@charthouse/logging";
import { ExpiringCache } from "./expiring_cache.ts";

/** What the Helm repositories read and write of the stored indexes (HelmIndexRepository). */
export interface HelmIndexStore {
  findState(organizationId: string, registryName: string): Promise<HelmIndexState | null>;
  findStateById(registryId: string): Promise<HelmIndexState | null>;
  rebuild(registryId: string, build: HelmIndexBuild): Promise<boolean>;
  loadBytes(registryId: string): Promise<StoredHelmIndexBytes | null>;
}

/** How an index is built from its registry's ready versions, read page by page. */
export type HelmIndexBuild = (pages: HelmIndexEntryPages) => Promise<BuiltHelmIndex>;

/** How long a copy of the API answers from the index state it last read, before it reads it again. */
export const indexStateCacheMs = 2_000;

/** A registry's current index: which registry, its ETag and how many versions it lists. */
export interface CurrentHelmIndex {
  registryId: string;
  etag: string;
  versionCount: number;
}

/** A stored index's bytes as served: both forms gzip-compressed, and their uncompressed sizes. */
export interface HelmIndexBytes {
  etag: string;
  yamlGzip: Buffer;
  jsonGzip: Buffer;
  yamlBytes: number;
  jsonBytes: number;
}

/** A registry's stored bytes as read (or being read) once, and the ETags of the states they answer. */
interface HeldBytes {
  /** The state's ETag that asked for them, and any other they were found to answer. */
  answers: Set<string>;
  loading: Promise<HelmIndexBytes | null>;
}

/** Options of {@link HelmIndexService}. */
export interface HelmIndexServiceOptions {
  /** How long a request waits for another copy's first build of an index (default 60 s). */
  firstBuildWaitMs?: number;
  /** How many registries' bytes are kept in memory (default 32). */
  cachedIndexes?: number;
  /** How long a registry's index state is reused without asking Postgres, in ms (default indexStateCacheMs; 0 never). */
  stateCacheMs?: number;
  /** The clock of the state cache, in milliseconds (tests move it). */
  now?: () => number;
}

/**
 * The Helm repository index of each registry: rebuilt when its versions changed (by one copy of
 * the API at a time, under an advisory lock; the others serve the stored one meanwhile), and its
 * stored bytes kept in memory once per registry, so concurrent downloads share one buffer. The
 * state of each organisation's registry (its ETag) is reused for a couple of seconds, so repeated
 * requests for an unchanged index, most of them answered 304, do not each ask Postgres; a change
 * of versions shows within that time plus the few seconds a rebuild waits after the last one.
 */
export class HelmIndexService {
  readonly #store: HelmIndexStore;
  readonly #build: HelmIndexBuild;
  readonly #log: Logger;
  readonly #firstBuildWaitMs: number;
  readonly #cachedIndexes: number;
  readonly #bytes = new Map<string, HeldBytes>();
  readonly #states: ExpiringCache<CurrentHelmIndex>;

  constructor(store: HelmIndexStore, build: HelmIndexBuild, options: HelmIndexServiceOptions & { log: Logger }) {
    this.#store = store;
    this.#build = build;
    this.#log = options.log;
    this.#firstBuildWaitMs = options.firstBuildWaitMs ?? 60_000;
    this.#cachedIndexes = options.cachedIndexes ?? 32;
    this.#states = new ExpiringCache({
      ttlMs: options.stateCacheMs ?? indexStateCacheMs,
      maxEntries: 1_000,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /**
   * The current index of the organisation's registry named `registryName`; rebuilds it first when
   * stale. Reused for a couple of seconds per organisation and name (a missing registry is not).
   */
  async current(organizationId: string, registryName: string): Promise<CurrentHelmIndex> {
    const key = JSON.stringify([organizationId, registryName]);
    const cached = this.#states.get(key);
    if (cached !== undefined) return cached;
    const current = await this.#current(organizationId, registryName);
    this.#states.set(key, current);
    return current;
  }

  async #current(organizationId: string, registryName: string): Promise<CurrentHelmIndex> {
    let state = await this.#find(organizationId, registryName);
    if (state.stale && (state.etag === null || !state.built_recently)) {
      if (await this.#rebuild(state.registry_id, "request")) state = await this.#find(organizationId, registryName);
    }
    const deadline = Date.now() + this.#firstBuildWaitMs;
    while (state.etag === null || state.version_count === null) {
      // Another copy is building this registry's first index.
      if (Date.now() > deadline) {
        throw new UnavailableError(`The Helm index of registry "${registryName}" is still being built`, { code: "unavailable" });
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      state = await this.#find(organizationId, registryName);
    }
    return { registryId: state.registry_id, etag: state.etag, versionCount: state.version_count };
  }

  /**
   * Rebuilds a registry's stored index now if its versions changed since it was built, so no
   * request waits for it; an index nobody asked for yet stays unbuilt. False when there was
   * nothing to do or another copy holds the registry's lock.
   */
  async refresh(registryId: string): Promise<boolean> {
    const state = await this.#store.findStateById(registryId);
    if (state === null || state.etag === null || !state.stale) return false;
    return await this.#rebuild(registryId, "change");
  }

  async #rebuild(registryId: string, reason: "request" | "change"): Promise<boolean> {
    const started = performance.now();
    let versions = 0;
    const done = await this.#store.rebuild(registryId, async (pages) => {
      const built = await this.#build(pages);
      versions = built.versionCount;
      return built;
    });
    if (done) this.#log.info({ registryId, versions, reason, durationMs: Math.round(performance.now() - started) }, "Helm index rebuilt");
    return done;
  }

  /** The bytes of a registry's index with ETag `etag` (or a newer one), read once and shared. */
  async bytes(current: CurrentHelmIndex): Promise<HelmIndexBytes> {
    let held = this.#bytes.get(current.registryId);
    if (held !== undefined && !held.answers.has(current.etag) && (await held.loading.catch(() => null))?.etag === current.etag) {
      held.answers.add(current.etag);
    }
    // Another request may have started a read while this one waited.
    held = this.#bytes.get(current.registryId);
    if (held === undefined || !held.answers.has(current.etag)) {
      // A state read before another copy's rebuild gets the newer bytes this read finds, and so do
      // the requests after it that hold the same (remembered) state: one read, not one each.
      held = { answers: new Set([current.etag]), loading: this.#load(current.registryId) };
      this.#bytes.delete(current.registryId);
      this.#bytes.set(current.registryId, held);
      while (this.#bytes.size > this.#cachedIndexes) {
        const oldest = this.#bytes.keys().next().value;
        if (oldest === undefined) break;
        this.#bytes.delete(oldest);
      }
    }
    const loaded = await held.loading;
    if (loaded === null) {
      if (this.#bytes.get(current.registryId) === held) this.#bytes.delete(current.registryId);
      throw new NotFoundError("The registry's Helm index is gone: it was deleted meanwhile");
    }
    return loaded;
  }

  async #find(organizationId: string, registryName: string): Promise<HelmIndexState> {
    const state = await this.#store.findState(organizationId, registryName);
    if (!state) {
      throw new NotFoundError(`No registry named "${registryName}"`, {
        solution: "Use the name of one of your organisation's registries (GET /api/v1/registries lists them)",
      });
    }
    return state;
  }

  async #load(registryId: string): Promise<HelmIndexBytes | null> {
    const row = await this.#store.loadBytes(registryId);
    if (!row) return null;
    return {
      etag: row.etag,
      yamlGzip: row.yaml_gzip,
      jsonGzip: row.json_gzip,
      yamlBytes: Number(row.yaml_bytes),
      jsonBytes: Number(row.json_bytes),
    };
  }
}
