import type { JetStreamClient, JsMsg } from "nats";
import { validatePayload, type Contract, type PayloadOf } from "@charthouse/contracts";
import { CharthouseError, InputError, toStoredError } from "@charthouse/errors";
import type { Logger } from "@charthouse/logging";
import { Counter, Histogram, type Registry } from "prom-client";
import type { z } from "zod";
import { backoffDelay, type BackoffPolicy } from "./backoff.ts";

/** What a handler is told about the delivery it works on. */
export interface DeliveryContext {
  /** 1 for the first delivery. */
  attempt: number;
  log: Logger;
  /** Tells JetStream the work goes on, so it is not redelivered mid-flight. */
  working(): void;
}

/** A message handler: the logic of one service for one contract. */
export interface MessageHandler<S extends z.ZodType> {
  contract: Contract<S>;
  /** Does the work; commits its effect before returning. Must tolerate replays. */
  handle(payload: PayloadOf<Contract<S>>, context: DeliveryContext): Promise<void>;
  /** Records a failure that will be retried (attempts, last error). */
  onRetry?(payload: PayloadOf<Contract<S>>, error: unknown, context: DeliveryContext): Promise<void>;
  /** Records a failure that is final: permanent, or retries exhausted. */
  onGiveUp?(payload: PayloadOf<Contract<S>>, error: unknown, context: DeliveryContext): Promise<void>;
}

/** Options of a consumer loop. */
export interface ConsumerLoopOptions {
  stream: string;
  durable: string;
  concurrency: number;
  maxDeliveries: number;
  backoff?: BackoffPolicy;
  log: Logger;
  /** Where the loop's counters and durations are exposed (/metrics). */
  metrics?: Registry;
}

/** What happened to one delivery, as counted in charthouse_messages_total. */
type Outcome = "ack" | "retry" | "term" | "invalid";

interface ConsumerMetrics {
  record(subject: string, outcome: Outcome, seconds: number): void;
}

function consumerMetrics(registry: Registry | undefined): ConsumerMetrics {
  if (!registry) return { record: () => undefined };
  const messages = new Counter({
    name: "charthouse_messages_total",
    help: "Deliveries handled, by subject and outcome (ack, retry with backoff, term, invalid)",
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
 * exponential backoff on transient errors, term (and dead-letter) on permanent ones or when
 * retries are exhausted. An invalid message is terminated and recorded, never retried.
 */
export async function runConsumer<S extends z.ZodType>(
  js: JetStreamClient,
  handler: MessageHandler<S>,
  options: ConsumerLoopOptions,
): Promise<RunningConsumer> {
  const consumer = await js.consumers.get(options.stream, options.durable);
  const messages = await consumer.consume({ max_messages: options.concurrency });
  const active = new Set<Promise<void>>();
  const metrics = consumerMetrics(options.metrics);
  let stopping = false;

  const loop = (async () => {
    for await (const msg of messages) {
      const started = performance.now();
      const work: Promise<void> = processMessage(js, handler, msg, options)
        .then((outcome) => metrics.record(msg.subject, outcome, (performance.now() - started) / 1000))
        .finally(() => active.delete(work));
      active.add(work);
      if (active.size >= options.concurrency) await Promise.race(active);
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
      await Promise.all(active);
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
  const msgId = msg.headers?.get("Nats-Msg-Id") ?? `${msg.info.stream}:${msg.seq}`;
  const log = options.log.child({ msgId, subject: msg.subject, attempt });
  const heartbeat = setInterval(() => msg.working(), 10_000);
  const context: DeliveryContext = { attempt, log, working: () => msg.working() };

  let payload: PayloadOf<Contract<S>>;
  try {
    payload = validatePayload(handler.contract, msg.json());
  } catch (err) {
    clearInterval(heartbeat);
    log.error({ err }, "Invalid message terminated");
    await deadLetter(js, msg, err, log);
    msg.term();
    return "invalid";
  }

  try {
    await handler.handle(payload, context);
    msg.ack();
    return "ack";
  } catch (err) {
    const transient = isTransient(err);
    const exhausted = attempt >= options.maxDeliveries;
    if (transient && !exhausted) {
      const retryAfterMs = (err as { retryAfterMs?: number }).retryAfterMs;
      const delay = backoffDelay(attempt, { policy: options.backoff, retryAfterMs });
      log.warn({ err, delayMs: delay }, "Transient failure, retrying with backoff");
      await safely(log, () => handler.onRetry?.(payload, err, context));
      msg.nak(delay);
      return "retry";
    } else {
      log.error({ err, exhausted }, exhausted ? "Retries exhausted, giving up" : "Permanent failure");
      const recorded = await safely(log, () => handler.onGiveUp?.(payload, err, context));
      if (!recorded) {
        // The failure could not be written down (Postgres away): keep the message for later.
        msg.nak(backoffDelay(attempt, { policy: options.backoff }));
        return "retry";
      }
      if (exhausted) await deadLetter(js, msg, err, log);
      msg.term();
      return "term";
    }
  } finally {
    clearInterval(heartbeat);
  }
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
    log.error({ err }, "Cannot record the failure");
    return false;
  }
}

async function deadLetter(js: JetStreamClient, msg: JsMsg, err: unknown, log: Logger): Promise<void> {
  try {
    const stored = toStoredError(err);
    const body = JSON.stringify({ subject: msg.subject, data: msg.string(), error: stored, deliveries: msg.info.redeliveryCount });
    await js.publish(`deadletter.${msg.subject}`, new TextEncoder().encode(body));
  } catch (publishErr) {
    log.error({ err: publishErr }, "Cannot write to the dead-letter stream");
  }
}
