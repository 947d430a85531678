import type { Logger } from "@charthouse/logging";
import type { EventObserver } from "./events_feed.ts";
import type { FeedEvent } from "./events_sse.ts";

/** Timing of a {@link HelmIndexRefresher}. */
export interface HelmIndexRefresherOptions {
  log: Logger;
  /** How long a registry's events must pause before its index is refreshed, in ms (default 1 s). */
  quietMs?: number;
  /** The longest a refresh waits after a registry's first event while events keep coming (default 5 s). */
  maxWaitMs?: number;
  /**
   * How long after a refresh that rebuilt the index it looks once more (default 11 s; 0 never):
   * versions written in the last seconds before a build leave the index looking stale until the
   * repository's commit slack has passed, and without this look the next request would rebuild it.
   */
  settleMs?: number;
}

interface Pending {
  timer: NodeJS.Timeout | null;
  firstAt: number;
  running: boolean;
  /** Events came while the refresh ran: refresh again after it. */
  again: boolean;
}

/**
 * Follows the live events and refreshes a registry's Helm index once its events pause (a version
 * ready, removed or re-published, a sync finished), so the index is rebuilt when a sync changes
 * it rather than by the first request after. A burst of events is one refresh: it waits for a
 * pause of `quietMs`, but never longer than `maxWaitMs` after the first; one refresh per registry
 * runs at a time, and events during it make one more after it. `refresh` itself decides whether
 * there is anything to rebuild (HelmIndexService.refresh); after one that rebuilt, it looks once
 * more when the stamp of the versions read has settled (`settleMs`).
 */
export class HelmIndexRefresher implements EventObserver {
  readonly #refresh: (registryId: string) => Promise<boolean>;
  readonly #log: Logger;
  readonly #quietMs: number;
  readonly #maxWaitMs: number;
  readonly #settleMs: number;
  readonly #pending = new Map<string, Pending>();
  #closed = false;

  constructor(refresh: (registryId: string) => Promise<boolean>, options: HelmIndexRefresherOptions) {
    this.#refresh = refresh;
    this.#log = options.log;
    this.#quietMs = options.quietMs ?? 1_000;
    this.#maxWaitMs = options.maxWaitMs ?? 5_000;
    this.#settleMs = options.settleMs ?? 11_000;
  }

  /** Registries with a refresh waiting or running. */
  get size(): number {
    return this.#pending.size;
  }

  event(event: Pick<FeedEvent, "name" | "registryId" | "outcome">): void {
    if (event.name === "registry.sync.started") return;
    // A fleet's unchanged re-syncs (thousands a second) would each cost a look at the index.
    if (event.name === "registry.sync.finished" && event.outcome === "unchanged") return;
    this.notify(event.registryId);
  }

  /** Something of `registryId` changed: refresh its index once its events pause. */
  notify(registryId: string): void {
    this.#wait(registryId, this.#quietMs);
  }

  #wait(registryId: string, delayMs: number): void {
    if (this.#closed) return;
    const now = Date.now();
    const pending = this.#pending.get(registryId);
    if (pending === undefined) {
      this.#pending.set(registryId, { timer: this.#schedule(registryId, delayMs), firstAt: now, running: false, again: false });
      return;
    }
    if (pending.running) {
      pending.again = true;
      return;
    }
    if (pending.timer !== null) clearTimeout(pending.timer);
    pending.timer = this.#schedule(registryId, Math.max(0, Math.min(this.#quietMs, pending.firstAt + this.#maxWaitMs - now)));
  }

  close(): void {
    this.#closed = true;
    for (const pending of this.#pending.values()) {
      if (pending.timer !== null) clearTimeout(pending.timer);
    }
    this.#pending.clear();
  }

  #schedule(registryId: string, delayMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => void this.#run(registryId), delayMs);
    timer.unref();
    return timer;
  }

  async #run(registryId: string): Promise<void> {
    const pending = this.#pending.get(registryId);
    if (pending === undefined || this.#closed) return;
    pending.timer = null;
    pending.running = true;
    let rebuilt = false;
    try {
      rebuilt = await this.#refresh(registryId);
    } catch (err) {
      this.#log.warn({ err, registryId }, "Cannot refresh the Helm index; the next request rebuilds it");
    }
    if (this.#pending.get(registryId) !== pending) return;
    this.#pending.delete(registryId);
    if (pending.again) this.notify(registryId);
    else if (rebuilt && this.#settleMs > 0) this.#wait(registryId, this.#settleMs);
  }
}
