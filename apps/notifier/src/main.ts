import { secretBoxFromSettings } from "@charthouse/credentials";
import { SubscriptionRepository, WebhookDeliveryRepository, WebhookEventReads } from "@charthouse/db";
import { closeRegistryAgents } from "@charthouse/outbound-http";
import { loadServiceConfig, runWorker } from "@charthouse/service-runtime";
import { createWebhookSender } from "./adapters/webhook_sender.ts";
import { loadNotifierConfig } from "./config.ts";
import { startDeliveryLoop } from "./handlers/delivery_loop.ts";
import { notifierMetrics } from "./handlers/notifier_metrics.ts";
import { recordDeliveriesHandler } from "./handlers/record_deliveries.ts";

const config = loadServiceConfig("notifier", loadNotifierConfig);

await runWorker("notifier", config, ({ log, metrics }) => {
  const recorder = notifierMetrics(metrics);
  const secrets =
    config.CHARTHOUSE_SECRET_KEY === undefined
      ? null
      : secretBoxFromSettings({ secretKey: config.CHARTHOUSE_SECRET_KEY, previousSecretKeys: config.CHARTHOUSE_PREVIOUS_SECRET_KEYS });
  if (secrets === null) log.warn("CHARTHOUSE_SECRET_KEY is not set: webhooks cannot be signed, so none is sent");
  return {
    createHandler: ({ db }) =>
      recordDeliveriesHandler({
        subscriptions: new SubscriptionRepository(db),
        deliveries: new WebhookDeliveryRepository(db),
        reads: new WebhookEventReads(db),
        metrics: recorder,
      }),
    startBackground: ({ db }) =>
      startDeliveryLoop({
        deliveries: new WebhookDeliveryRepository(db),
        secrets,
        send: createWebhookSender({ timeoutMs: config.CHARTHOUSE_WEBHOOK_TIMEOUT_MS, blockPrivateNetworks: config.CHARTHOUSE_BLOCK_PRIVATE_NETWORKS }),
        metrics: recorder,
        log,
        settings: {
          retryBaseMs: config.CHARTHOUSE_WEBHOOK_RETRY_BASE_MS,
          timeoutMs: config.CHARTHOUSE_WEBHOOK_TIMEOUT_MS,
          pollMs: config.CHARTHOUSE_WEBHOOK_POLL_MS,
          concurrency: config.CHARTHOUSE_WEBHOOK_CONCURRENCY,
        },
      }),
    close: closeRegistryAgents,
  };
});
