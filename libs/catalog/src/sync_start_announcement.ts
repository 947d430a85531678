/** How long a scheduled sync may run before its start is announced anyway. */
export const START_ANNOUNCE_GRACE_MS = 1_000;

/**
 * Whether and when a sync is announced (registry.sync.started, then .finished). A fleet re-syncs
 * thousands of unchanged registries a second, each finished in milliseconds with a 304: two
 * events each were most of what nats-server, the notifier and every registry-api copy did, for
 * nothing a user sees. So a sync announces its start at once when a user asked for it, before it
 * writes any change (so the start precedes the versions' events), or once it has run for the
 * grace period; a sync that finishes unchanged before any of these is quiet: recorded on its
 * sync run, with no event. (Flux, likewise, sends no event for a reconcile that found nothing new.)
 */
export class SyncStartAnnouncement {
  /** Once true, the start goes out before the finish whatever the outcome. */
  #due = false;
  #sent: Promise<void> | null = null;
  readonly #timer: NodeJS.Timeout;

  /** Starts the grace period; `onLateFailure` is told when the announcement its end sent failed. */
  constructor(
    private readonly publish: () => Promise<void>,
    options: { graceMs?: number; onLateFailure: (err: unknown) => void },
  ) {
    this.#timer = setTimeout(() => {
      // A failure here is not the sync's: the start is sent again before the finish.
      this.announce().catch(options.onLateFailure);
    }, options.graceMs ?? START_ANNOUNCE_GRACE_MS);
    this.#timer.unref();
  }

  /** Announces the start (once; again after a failed try); resolves when it went out. */
  announce(): Promise<void> {
    clearTimeout(this.#timer);
    this.#due = true;
    this.#sent ??= this.publish().catch((err: unknown) => {
      this.#sent = null;
      throw err;
    });
    return this.#sent;
  }

  /**
   * Before the finish: the start goes out first when the sync changed something or was
   * announced, or its grace period ended (never a finish before its own start). Answers whether
   * the sync was announced: one that was not is quiet, and its finish is not announced either.
   */
  async beforeFinish(changed: boolean): Promise<boolean> {
    clearTimeout(this.#timer);
    if (!changed && !this.#due) return false;
    await this.announce();
    return true;
  }

  /** Stops the grace timer (the attempt ended without finishing: it failed or was deferred). */
  stop(): void {
    clearTimeout(this.#timer);
  }
}
