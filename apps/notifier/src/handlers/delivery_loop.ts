import { nextWebhookAttempt, webhookBody, webhookHeaders, type WebhookCloudEvent, type WebhookFormat } from "@charthouse/catalog";
import { InFlightWindow } from "@charthouse/concurrency";
import type { SealedSecret } from "@charthouse/credentials";
import type { ClaimedWebhookDelivery, WebhookDeliveryRepository } from "@charthouse/db";
import type { Logger } from "@charthouse/logging";
import type { WebhookAnswer, WebhookSender } from "../adapters/webhook_sender.ts";
import type { NotifierRecorder } from "./notifier_metrics.ts";

/** Opens a subscription's sealed secret (the SecretBox), or null when no key is configured. */
export interface SubscriptionSecrets {
  open(sealed: SealedSecret, subscriptionId: string): unknown;
}

/** What the delivery loop runs on. */
export interface DeliveryLoopDependencies {
  deliveries: Pick<WebhookDeliveryRepository, "claimDue" | "finishAttempt">;
  secrets: SubscriptionSecrets | null;
  send: WebhookSender;
  metrics: NotifierRecorder;
  log: Logger;
  settings: { retryBaseMs: number; timeoutMs: number; pollMs: number; concurrency: number };
}

/** A running delivery loop; stop() lets the attempts in flight finish. */
export interface DeliveryLoop {
  stop(): Promise<void>;
}

/**
 * Sends due deliveries, up to `concurrency` at once, and records each attempt's end.
 *
 * Retries live in Postgres (next_attempt_at), not in JetStream redelivery: one event fans out to
 * many subscriptions, each with its own schedule over up to a day, and the deliveries list needs
 * that state anyway. A claim leases the row for longer than an attempt can take, so a notifier
 * killed mid-attempt loses nothing: the row comes due again when the lease ends, and is sent with
 * the same id (webhook-id) by whichever copy claims it.
 */
export function startDeliveryLoop(deps: DeliveryLoopDependencies): DeliveryLoop {
  const { settings, log } = deps;
  const leaseMs = settings.timeoutMs * 2 + 5_000;
  const inFlight = new InFlightWindow(settings.concurrency);
  let stopping = false;
  let wake: (() => void) | undefined;

  const loop = (async () => {
    while (!stopping) {
      // Every slot busy: wait for one, then look for more at once.
      if (!inFlight.hasRoom) {
        await inFlight.room();
        continue;
      }
      const room = settings.concurrency - inFlight.size;
      let claimed: ClaimedWebhookDelivery[] = [];
      try {
        claimed = await deps.deliveries.claimDue(room, leaseMs);
      } catch (err) {
        log.warn({ err }, "Cannot claim due webhook deliveries; trying again");
      }
      for (const delivery of claimed) {
        // attempt() records its own outcome; a failure around it leaves the row leased, and it is sent again when the lease ends.
        inFlight.add(attempt(deps, delivery).catch((err: unknown) => log.error({ err, deliveryId: delivery.id }, "Webhook attempt failed unexpectedly")));
      }
      // Fewer due than there was room for: nothing more is due now, so look again a little later.
      if (claimed.length < room) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, settings.pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  })();

  return {
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      await inFlight.idle();
    },
  };
}

async function attempt(deps: DeliveryLoopDependencies, delivery: ClaimedWebhookDelivery): Promise<void> {
  const started = performance.now();
  const log = deps.log.child({ deliveryId: delivery.id, subscriptionId: delivery.subscriptionId, attempt: delivery.attempts });
  const answer = await send(deps, delivery);
  const now = new Date();
  const retryAt =
    answer.delivered || answer.permanent
      ? null
      : nextWebhookAttempt(delivery.attempts, { baseMs: deps.settings.retryBaseMs, createdAt: delivery.createdAt, now });
  try {
    await deps.deliveries.finishAttempt(delivery.id, { delivered: answer.delivered, retryAt, statusCode: answer.statusCode, error: answer.error });
  } catch (err) {
    // The lease ends and the delivery is tried again: at least once, never lost.
    log.warn({ err }, "Cannot record a webhook attempt; it will be retried when its lease ends");
    return;
  }
  const outcome = answer.delivered ? "delivered" : retryAt === null ? "failed" : "retry";
  deps.metrics.attempted(outcome, (performance.now() - started) / 1000);
  const fields = { host: hostOf(delivery.url), status: answer.statusCode };
  if (outcome === "delivered") log.info(fields, "Webhook delivered");
  else if (outcome === "retry") log.warn({ ...fields, error: answer.error, nextAttemptAt: retryAt?.toISOString() }, "Webhook attempt failed; retrying later");
  else log.warn({ ...fields, error: answer.error }, "Webhook delivery failed for good");
}

async function send(deps: DeliveryLoopDependencies, delivery: ClaimedWebhookDelivery): Promise<WebhookAnswer> {
  const secret = openSecret(deps.secrets, delivery);
  if (typeof secret !== "string") return { delivered: false, statusCode: null, error: secret.error, permanent: false };
  const format: WebhookFormat = delivery.format === "slack" ? "slack" : "cloudevents";
  const body = webhookBody(delivery.event as WebhookCloudEvent, format);
  const timestamp = Math.floor(Date.now() / 1000);
  return await deps.send({
    url: delivery.url,
    contentType: format === "cloudevents" ? "application/cloudevents+json" : "application/json",
    body,
    headers: webhookHeaders({ id: delivery.id, timestamp, body }, secret),
  });
}

function openSecret(secrets: SubscriptionSecrets | null, delivery: ClaimedWebhookDelivery): string | { error: string } {
  if (secrets === null) return { error: "The notifier cannot sign: CHARTHOUSE_SECRET_KEY is not configured" };
  try {
    const opened = secrets.open({ keyId: delivery.secretKeyId, ciphertext: delivery.secretCiphertext }, delivery.subscriptionId);
    const value = (opened as { secret?: unknown } | null)?.secret;
    if (typeof value === "string") return value;
    return { error: "The subscription's sealed secret has no secret in it" };
  } catch (err) {
    return { error: `Cannot open the subscription's secret: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(invalid URL)";
  }
}
