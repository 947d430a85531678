import type { JetStreamClient, JsMsg } from "nats";
import { InFlightWindow } from "@charthouse/concurrency";
import { validatePayload, type Contract, type PayloadOf } from "@charthouse/contracts";
import { CharthouseError, DeferredError, InputError, toStoredError } from "@charthouse/errors";
import type { Logger } from "@charthouse/logging";
import { Counter, Histogram, type Registry } from "prom-client";
import type { z } from "zod";
import { trace } from "@opentelemetry/api";
import { backoffDelay, deferralDelay, type BackoffPolicy } from "./backoff.ts";
import { inConsumerSpan } from "./trace_context.ts";

/** What a handler is told about the delivery it works on. */
export interface DeliveryContext {
  /** 1 for the first delivery (deliveries deferred by an open circuit or a busy lock count too). */
  attempt: number;
  log: Logger;
  /** Tells JetStream the work goes on, so it is not redelivered mid-flight. */
  working(): void;
  /** The subject the message came on: a consumer of several subjects tells them apart by it. */
  subject?: string;
}

/** A message handler: the logic of one service for one contract. */
export interface MessageHandler<S extends z.ZodType> {
  contract: Contract<S>;
  /** Does the work; commits its effect before returning. Must tolerate replays. */
  handle(payload: PayloadOf<Contract<S>>, context: DeliveryContext): Promise<void>;
  /** Records a failure that will be retried (attempts, last error). */
  onRetry?(payload: PayloadOf<Contract<S>>, error: unknown, context: DeliveryContext): Promise<void>;
  /** Records a failure that is final: permanent, or retried for longer than the give-up time. */
  onGiveUp?(payload: PayloadOf<Contract<S>>, error: unknown, context: DeliveryContext): Promise<void>;
}

/** Options of a consumer loop. */
export interface ConsumerLoopOptions {
  stream: string;
  durable: string;
  concurrency: number;
  /**
   * How long a message failing for passing reasons is retried, counted from when it was first
   * published, before it is given up: a time, not a count, so that deliveries an open circuit
   * defers in quick succession cannot use up a version's chances.
   */
  giveUpAfterMs: number;
  backoff?: BackoffPolicy;
  log: Logger;
  /** Where the loop's counters and durations are exposed (/metrics). */
  metrics?: Registry;
}

/** What happened to one delivery, as counted in charthouse_messages_total. */
type Outcome = "ack" | "retry" | "deferred" | "term" | "invalid";

interface ConsumerMetrics {
  record(subject: string, outcome: Outcome, seconds: number): void;
}

function consumerMetrics(registry: Registry | undefined): ConsumerMetrics {
  if (!registry) return { record: () => undefined };
  const messages = new Counter({
    name: "charthouse_messages_total",
    help: "Deliveries handled, by subject and outcome (ack, retry with backoff, deferred, term, invalid)",
    labelNames: ["subject", "outcome"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "charthouse_message_duration_seconds",
    help: "Time spent handling one delivery",
    labelNames: ["subject"],
    buckets: [0.005, 0.02, 0.1, 0.5, 2, 10, 60],
    registers: [registry],
  });
  return {
    record(subject, outcome, seconds) {
      messages.inc({ subject, outcome });
      duration.observe({ subject }, seconds);
    },
  };
}

/** A running consumer loop; stop() lets in-flight messages finish. */
export interface RunningConsumer {
  stop(): Promise<void>;
  readonly inFlight: number;
}

/**
 * Pulls messages from a durable consumer and runs the handler on up to `concurrency` at once.
 * The one place where outcomes map to JetStream: ack after the handler commits, nak with
 * exponential backoff on transient errors, nak for the asked time on deferred work (not an
 * attempt), term on permanent errors, and term plus a dead letter once a message has failed for
 * longer than the give-up time. An invalid message is terminated and recorded, never retried.
 */
export async function runConsumer<S extends z.ZodType>(
  js: JetStreamClient,
  handler: MessageHandler<S>,
  options: ConsumerLoopOptions,
): Promise<RunningConsumer> {
  const consumer = await js.consumers.get(options.stream, options.durable);
  const messages = await consumer.consume({ max_messages: options.concurrency });
  const active = new InFlightWindow(options.concurrency);
  const metrics = consumerMetrics(options.metrics);
  let stopping = false;

  const loop = (async () => {
    for await (const msg of messages) {
      const started = performance.now();
      // A consumer span per delivery, child of the publisher's trace context (NATS headers).
      const work = inConsumerSpan(msg.subject, msg.headers, () => processMessage(js, handler, msg, options))
        .then((outcome) => metrics.record(msg.subject, outcome, (performance.now() - started) / 1000))
        // processMessage settles every handler outcome itself; this is a failure around it (a
        // dead letter that could not be written), and the message is redelivered after ack_wait.
        .catch((err: unknown) => options.log.error({ ...failureFields(err), subject: msg.subject }, "Message handling failed"));
      active.add(work);
      if (!active.hasRoom) await active.room();
      if (stopping) break;
    }
  })();

  return {
    get inFlight() {
      return active.size;
    },
    async stop() {
      stopping = true;
      await messages.close();
      await loop.catch(() => undefined);
      await active.idle();
    },
  };
}

async function processMessage<S extends z.ZodType>(
  js: JetStreamClient,
  handler: MessageHandler<S>,
  msg: JsMsg,
  options: ConsumerLoopOptions,
): Promise<Outcome> {
  const attempt = msg.info.redeliveryCount;
  const msgId = msg.headers?.get("Nats-Msg-Id") || `${msg.info.stream}:${msg.seq}`;
  const log = options.log.child({ msgId, subject: msg.subject, attempt });
  const heartbeat = setInterval(() => msg.working(), 10_000);
  const context: DeliveryContext = { attempt, log, working: () => msg.working(), subject: msg.subject };
  const delivery: Delivery = { msg, msgId, publishedAtMs: Math.floor(msg.info.timestampNanos / 1e6) };

  let payload: PayloadOf<Contract<S>>;
  try {
    payload = validatePayload(handler.contract, msg.json());
  } catch (err) {
    clearInterval(heartbeat);
    log.error({ ...failureFields(err) }, "Invalid message terminated");
    await deadLetter(js, delivery, err, log);
    msg.term();
    return "invalid";
  }

  try {
    await handler.handle(payload, context);
    msg.ack();
    return "ack";
  } catch (err) {
    trace.getActiveSpan()?.setAttribute("charthouse.error.code", toStoredError(err).code);
    const expired = Date.now() - delivery.publishedAtMs >= options.giveUpAfterMs;
    if (err instanceof DeferredError && !expired) {
      const delayMs = deferralDelay(err.retryAfterMs);
      log.debug({ ...failureFields(err), delayMs }, "Deferred");
      msg.nak(delayMs);
      return "deferred";
    }
    if (isTransient(err) && !expired) {
      const retryAfterMs = (err as { retryAfterMs?: number }).retryAfterMs;
      const delayMs = backoffDelay(attempt, { policy: options.backoff, retryAfterMs });
      log.warn({ ...failureFields(err), delayMs }, "Failed for a passing reason; retrying");
      await safely(log, () => handler.onRetry?.(payload, err, context));
      msg.nak(delayMs);
      return "retry";
    }
    const recorded = await safely(log, () => handler.onGiveUp?.(payload, err, context));
    if (!recorded) {
      // The failure could not be written down (Postgres away): keep the message for later.
      msg.nak(backoffDelay(attempt, { policy: options.backoff }));
      return "retry";
    }
    if (expired && isTransient(err)) {
      log.error({ ...failureFields(err), retriedForMs: Date.now() - delivery.publishedAtMs }, "Retried for too long; given up");
      await deadLetter(js, delivery, err, log);
    } else {
      log.warn({ ...failureFields(err) }, "Failed for good");
    }
    msg.term();
    return "term";
  } finally {
    clearInterval(heartbeat);
  }
}

/** One delivery, as the dead-letter record describes it. */
interface Delivery {
  msg: JsMsg;
  msgId: string;
  /** When the message was first published (JetStream's stream timestamp). */
  publishedAtMs: number;
}

/**
 * What a log line says of a failure: its code and message on one line. A stack trace is added
 * only for errors that are not Charthouse's own (a bug, not a registry or a dependency failing).
 */
function failureFields(err: unknown): Record<string, unknown> {
  const stored = toStoredError(err);
  const fields: Record<string, unknown> = { code: stored.code, error: stored.message };
  if (stored.cause !== null) fields["cause"] = stored.cause;
  if (!(err instanceof CharthouseError)) fields["err"] = err;
  return fields;
}

/** Errors we know to be passing; unknown errors (a dropped database connection) count as passing too. */
function isTransient(err: unknown): boolean {
  if (err instanceof CharthouseError) return err.transient;
  return !(err instanceof InputError);
}

async function safely(log: Logger, fn: () => Promise<void> | undefined): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (err) {
    log.error({ ...failureFields(err) }, "Cannot record the failure");
    return false;
  }
}

/**
 * Keeps a message that was given up in the dead-letter stream (`deadletter.<subject>`), with what
 * an operator needs to judge and replay it.
 */
async function deadLetter(js: JetStreamClient, delivery: Delivery, err: unknown, log: Logger): Promise<void> {
  const { msg } = delivery;
  try {
    const record = {
      subject: msg.subject,
      msgId: delivery.msgId,
      data: msg.string(),
      error: toStoredError(err),
      deliveries: msg.info.redeliveryCount,
      firstPublishedAt: new Date(delivery.publishedAtMs).toISOString(),
      deadLetteredAt: new Date().toISOString(),
    };
    await js.publish(`deadletter.${msg.subject}`, new TextEncoder().encode(JSON.stringify(record)), {
      msgID: `deadletter:${delivery.msgId}:${delivery.publishedAtMs}`,
    });
  } catch (publishErr) {
    log.error({ ...failureFields(publishErr) }, "Cannot write to the dead-letter stream");
  }
}
