import { syncRequestedHttp, syncRequestedOci, type MessagePublisher } from "@charthouse/contracts";
import type { RequestedSync } from "@charthouse/db";

/** Publishes sync requests to the fetcher of each registry's kind; returns how many went out. */
export async function publishSyncRequests(publisher: Pick<MessagePublisher, "publishMany">, requests: readonly RequestedSync[]): Promise<number> {
  const toPayload = (r: RequestedSync) => ({
    registryId: r.registryId,
    syncRunId: r.syncRunId,
    trigger: r.trigger,
    requestedAt: r.requestedAt,
  });
  const http = requests.filter((r) => r.kind === "http_registry").map(toPayload);
  const oci = requests.filter((r) => r.kind === "oci_registry").map(toPayload);
  const [sentHttp, sentOci] = await Promise.all([
    publisher.publishMany(syncRequestedHttp, http),
    publisher.publishMany(syncRequestedOci, oci),
  ]);
  return sentHttp + sentOci;
}
