import {
  AckPolicy,
  DeliverPolicy,
  nanos,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from "nats";
import type { StreamDefinition } from "@charthouse/contracts";

/**
 * Creates or updates a stream to match its definition. Idempotent and safe when several copies
 * of several services start at once.
 */
export async function ensureStream(jsm: JetStreamManager, stream: StreamDefinition): Promise<void> {
  const config: Partial<StreamConfig> & { name: string } = {
    name: stream.name,
    subjects: [...stream.subjects],
    retention: stream.kind === "work" ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: nanos(stream.duplicateWindowMs),
    ...(stream.kind === "history" ? { max_age: nanos(7 * 24 * 3600_000), max_msgs: 1_000_000 } : {}),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await jsm.streams.info(stream.name);
      await jsm.streams.update(stream.name, config);
      return;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    try {
      await jsm.streams.add(config);
      return;
    } catch (err) {
      // Another copy created it between our two calls: go round once more and update it.
      if (attempt >= 3 || !/already in use|exists/i.test(String(err))) throw err;
    }
  }
}

/** Options of a durable pull consumer shared by every copy of one service. */
export interface ConsumerOptions {
  stream: string;
  durable: string;
  filterSubject: string;
  /** How long a delivery may go without ack or working() before JetStream redelivers it. */
  ackWaitMs: number;
  maxAckPending: number;
}

/** Creates or updates a durable pull consumer. Idempotent. */
export async function ensureConsumer(jsm: JetStreamManager, options: ConsumerOptions): Promise<void> {
  const config = {
    durable_name: options.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: options.filterSubject,
    ack_wait: nanos(options.ackWaitMs),
    // Give-up is ours (dead-letter stream after CHARTHOUSE_GIVE_UP_AFTER_SECONDS), not the server's.
    max_deliver: -1,
    max_ack_pending: options.maxAckPending,
  };
  try {
    await jsm.consumers.info(options.stream, options.durable);
    await jsm.consumers.update(options.stream, options.durable, config);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.consumers.add(options.stream, config);
  }
}

function isNotFound(err: unknown): boolean {
  return /not found/i.test(String((err as { message?: unknown }).message ?? err));
}
