import type { syncRequestedHttp, SyncRequested } from "@charthouse/contracts";
import type { Logger } from "@charthouse/logging";
import type { SyncResult } from "./sync_run.ts";
import { runLeasedSync, syncFailureHandling, type StartedSync, type SyncRunDependencies } from "./sync_run_lifecycle.ts";

/** What a sync handler is given with each delivery (the messaging consumer's delivery context has it). */
export interface SyncDelivery {
  log: Logger;
  /** Tells JetStream the work goes on, so it is not redelivered mid-flight. */
  working(): void;
}

/** How one sync attempt ended, as a fetcher reports it; undefined when nothing was synced. */
export type SyncAttemptOutcome = SyncResult["outcome"] | undefined;

/** The handler of a sync request: a message handler of the consumer loop (handle, retry, give up). */
export interface LeasedSyncHandler<Delivery extends SyncDelivery> {
  contract: typeof syncRequestedHttp;
  handle(payload: SyncRequested, context: Delivery): Promise<void>;
  onRetry(payload: SyncRequested, error: unknown): Promise<void>;
  onGiveUp(payload: SyncRequested, error: unknown): Promise<void>;
}

/** How a fetcher builds its sync handler: its request contract, how attempts are recorded, and the sync itself. */
export interface LeasedSyncHandlerOptions<Credential, Delivery extends SyncDelivery> {
  /** sync.requested.http.v1 or sync.requested.oci.v1 (one payload shape). */
  contract: typeof syncRequestedHttp;
  /** Runs one attempt and reports its outcome (metrics); a thrown error is the attempt's failure. */
  record(attempt: () => Promise<SyncAttemptOutcome>): Promise<void>;
  /** The sync of one leased registry; returns whether it changed anything. */
  sync(started: StartedSync<Credential>, payload: SyncRequested, context: Delivery): Promise<SyncResult["outcome"]>;
}

/**
 * The handler every fetcher's sync request shares: the attempt is recorded, the sync's lease is
 * taken and renewed around the fetcher's own work (see runLeasedSync), and a failure is shown on
 * the registry while retried and recorded and announced once given up (see syncFailureHandling).
 */
export function leasedSyncHandler<Credential, Delivery extends SyncDelivery>(
  deps: SyncRunDependencies<Credential>,
  options: LeasedSyncHandlerOptions<Credential, Delivery>,
): LeasedSyncHandler<Delivery> {
  return {
    contract: options.contract,
    async handle(payload, context) {
      await options.record(async () => {
        let outcome: SyncAttemptOutcome;
        await runLeasedSync(deps, payload, context, async (started) => {
          outcome = await options.sync(started, payload, context);
        });
        return outcome;
      });
    },
    ...syncFailureHandling(deps),
  };
}
