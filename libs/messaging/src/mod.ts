/** JetStream: connection, idempotent provisioning, publishing, consumer loops and the archive store. */
export { connectNats } from "./connect.ts";
export { watchConnection, type ConnectionState } from "./connection_state.ts";
export { ensureConsumer, ensureStream, type ConsumerOptions } from "./provision.ts";
export type { BackoffPolicy } from "./backoff.ts";
export { Publisher } from "./publisher.ts";
export { contextFromHeaders, inConsumerSpan, traceHeaders } from "./trace_context.ts";
export {
  runConsumer,
  type ConsumerLoopOptions,
  type DeliveryContext,
  type MessageHandler,
  type RunningConsumer,
} from "./consumer.ts";
export { ArchiveStore } from "./archive_store.ts";
export { concernOf, parseDeadLetter, type DeadLetter, type DeadLetterConcern } from "./dead_letter_record.ts";
export {
  DeadLetterStream,
  deadLetterPageMax,
  isPlainSubject,
  type DeadLetterPage,
  type DeadLetterPageRequest,
  type DeadLetterReader,
} from "./dead_letter_stream.ts";
export { registerDeadLetterMetrics } from "./dead_letter_metrics.ts";
export type { JetStreamClient, JetStreamManager, NatsConnection } from "nats";
