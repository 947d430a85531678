import { randomUUID } from "node:crypto";
import { Router } from "express";
import { testEventType, webhookDeliveryFor } from "@charthouse/catalog";
import { InputError } from "@charthouse/errors";
import type { ApiContext } from "../api_context.ts";
import { authOf } from "../auth.ts";
import { parsePageRequest } from "../pagination.ts";
import { pathId } from "../path_ids.ts";
import { getDelivery, getSubscription, listDeliveries, listSubscriptions } from "../queries/subscription_queries.ts";
import { requireSecretBox } from "../secret_box_required.ts";
import { parseSubscriptionInput } from "../subscription_input.ts";

/**
 * /subscriptions: watch rules that the notifier delivers as signed webhooks. Create (the secret is
 * shown in this answer only, and stored sealed), list, get, delete, a subscription's deliveries,
 * and a test event.
 */
export function subscriptionRoutes(context: ApiContext): Router {
  const { db } = context;
  const router = Router();

  router.get("/subscriptions", async (req, res) => {
    res.json(await listSubscriptions(db, authOf(res).organizationId, parsePageRequest(req.query)));
  });

  router.get("/subscriptions/:id", async (req, res) => {
    res.json(await getSubscription(db, authOf(res).organizationId, pathId(req.params.id, "subscription")));
  });

  router.post("/subscriptions", async (req, res) => {
    const { organizationId } = authOf(res);
    const box = requireSecretBox(context.secretBox, "Subscriptions");
    const input = await parseSubscriptionInput(req.body, context.destinations ?? { blockPrivateNetworks: false });
    if (input.registryId !== null && (await db.registries.get(organizationId, input.registryId)) === null) {
      throw new InputError(`No registry with id ${input.registryId}`, { fields: [{ field: "registry_id", message: "is not a registry of this organisation" }] });
    }
    const id = randomUUID();
    await db.subscriptions.insert(organizationId, {
      id,
      name: input.name,
      url: input.url,
      events: input.events,
      registryId: input.registryId,
      chart: input.chart,
      versionRange: input.versionRange,
      includePrereleases: input.includePrereleases,
      format: input.format,
      secret: box.seal({ secret: input.secret }, id),
    });
    const created = await getSubscription(db, organizationId, id);
    res.status(201).location(`${req.baseUrl}/subscriptions/${id}`).json({ ...created, secret: input.secret });
  });

  router.delete("/subscriptions/:id", async (req, res) => {
    await db.subscriptions.delete(authOf(res).organizationId, pathId(req.params.id, "subscription"));
    res.status(204).end();
  });

  router.get("/subscriptions/:id/deliveries", async (req, res) => {
    const id = pathId(req.params.id, "subscription");
    res.json(await listDeliveries(db, authOf(res).organizationId, id, parsePageRequest(req.query)));
  });

  router.post("/subscriptions/:id/test", async (req, res) => {
    const { organizationId } = authOf(res);
    const subscription = await getSubscription(db, organizationId, pathId(req.params.id, "subscription"));
    const registry = subscription.registry_id === null ? null : await db.registries.get(organizationId, subscription.registry_id);
    const delivery = webhookDeliveryFor(subscription.id, {
      type: testEventType,
      key: `test:${randomUUID()}`,
      time: new Date(),
      source: `/subscriptions/${subscription.id}`,
      data: {
        registry_id: subscription.registry_id,
        registry: registry?.name ?? null,
        chart: subscription.chart,
        version: null,
        app_version: null,
        digest: null,
        previous_version: null,
      },
    });
    await db.webhookDeliveries.record([delivery]);
    res.status(202).json(await getDelivery(db, organizationId, delivery.id));
  });

  return router;
}
