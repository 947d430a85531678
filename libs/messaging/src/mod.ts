/** JetStream: connection, idempotent provisioning, publishing, consumer loops and the archive store. */
export { connectNats } from "./connect.ts";
export { ensureConsumer, ensureStream, type ConsumerOptions } from "./provision.ts";
export type { BackoffPolicy } from "./backoff.ts";
export { Publisher } from "./publisher.ts";
export { publishVersionEvents, type VersionEventBatch, type VersionEventSubject } from "./version_events.ts";
export {
  runConsumer,
  type ConsumerLoopOptions,
  type DeliveryContext,
  type MessageHandler,
  type RunningConsumer,
} from "./consumer.ts";
export { ArchiveStore } from "./archive_store.ts";
export type { JetStreamClient, JetStreamManager, NatsConnection } from "nats";
