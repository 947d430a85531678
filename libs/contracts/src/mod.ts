/** NATS messages: one file per message with its subject, stream, schema and message id. */
export { defineContract, validatePayload, type Contract, type PayloadOf } from "./contract.ts";
export type { MessagePublisher } from "./message_publisher.ts";
export { archiveBucket, streams, type StreamDefinition } from "./streams.ts";
export { syncRequestedHttp, syncRequestedOci, type SyncRequested } from "./sync_requested.ts";
export { chartDownloadRequested, verifiableDigest, type ChartDownloadRequested } from "./chart_download_requested.ts";
export { chartDownloaded, type ChartDownloaded } from "./chart_downloaded.ts";
export {
  chartVersionDeprecated,
  chartVersionDiscovered,
  chartVersionFailed,
  chartVersionReady,
  chartVersionRemoved,
  chartVersionRepushed,
  liveEvents,
  maxVersionsPerEvent,
  registrySyncFinished,
  registrySyncStarted,
  type ChartVersionEvent,
  type ChartVersionSummary,
  type ChartVersionsEvent,
  type ChartVersionsEventContract,
  type RegistrySyncEvent,
} from "./events.ts";
