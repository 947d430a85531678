import { describe, expect, it } from "vitest";
import { verifyWebhookSignature } from "@charthouse/catalog";
import type { ClaimedWebhookDelivery } from "@charthouse/db";
import { createLogger } from "@charthouse/logging";
import type { WebhookAnswer, WebhookRequest } from "../adapters/webhook_sender.ts";
import { startDeliveryLoop, type DeliveryLoopDependencies } from "./delivery_loop.ts";

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/** One pending delivery in memory, claimed and finished as the repository does it. */
function memoryDeliveries() {
  const row = {
    id: "d-1",
    status: "pending" as "pending" | "delivered" | "failed",
    attempts: 0,
    nextAttemptAt: Date.now(),
    lastStatusCode: null as number | null,
  };
  const deliveries: DeliveryLoopDependencies["deliveries"] = {
    async claimDue(limit, leaseMs) {
      if (limit < 1 || row.status !== "pending" || row.nextAttemptAt > Date.now()) return [];
      row.attempts += 1;
      row.nextAttemptAt = Date.now() + leaseMs;
      const claimed: ClaimedWebhookDelivery = {
        id: row.id,
        subscriptionId: "s-1",
        event: { specversion: "1.0", id: row.id, type: "dev.charthouse.version.ready" },
        attempts: row.attempts,
        createdAt: new Date(),
        url: "https://hooks.example.com/in",
        format: "cloudevents",
        secretKeyId: "k",
        secretCiphertext: "c",
      };
      return [claimed];
    },
    async finishAttempt(_id, outcome) {
      row.status = outcome.delivered ? "delivered" : outcome.retryAt === null ? "failed" : "pending";
      row.nextAttemptAt = outcome.retryAt?.getTime() ?? Infinity;
      row.lastStatusCode = outcome.statusCode;
    },
  };
  return { row, deliveries };
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("Timed out waiting for the delivery loop");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function run(deliveries: DeliveryLoopDependencies["deliveries"], answer: (request: WebhookRequest, n: number) => WebhookAnswer) {
  const requests: WebhookRequest[] = [];
  const loop = startDeliveryLoop({
    deliveries,
    secrets: { open: () => ({ secret }) },
    send: async (request) => {
      requests.push(request);
      return answer(request, requests.length);
    },
    metrics: { recorded: () => undefined, attempted: () => undefined },
    log: createLogger("test", { level: "silent" }),
    settings: { retryBaseMs: 10, timeoutMs: 1_000, pollMs: 5, concurrency: 4 },
  });
  return { loop, requests };
}

describe("startDeliveryLoop()", () => {
  it("retries a target that answers 500 three times and delivers on the fourth attempt, with the same webhook-id, each signed afresh", async () => {
    const { row, deliveries } = memoryDeliveries();
    const { loop, requests } = run(deliveries, (_r, n) =>
      n <= 3 ? { delivered: false, statusCode: 500, error: "HTTP 500", permanent: false } : { delivered: true, statusCode: 204, error: null, permanent: false },
    );
    await until(() => row.status === "delivered");
    await loop.stop();
    expect(requests).toHaveLength(4);
    expect(row).toMatchObject({ attempts: 4, lastStatusCode: 204 });
    expect(new Set(requests.map((r) => r.headers["webhook-id"]))).toEqual(new Set(["d-1"]));
    for (const request of requests) {
      const message = { id: "d-1", timestamp: Number(request.headers["webhook-timestamp"]), body: request.body };
      expect(verifyWebhookSignature(message, request.headers["webhook-signature"] ?? "", secret)).toBe(true);
      expect(request.contentType).toBe("application/cloudevents+json");
    }
  });

  it("gives up at once on a refused destination", async () => {
    const { row, deliveries } = memoryDeliveries();
    const { loop, requests } = run(deliveries, () => ({ delivered: false, statusCode: null, error: "Refused to connect", permanent: true }));
    await until(() => row.status === "failed");
    await loop.stop();
    expect(requests).toHaveLength(1);
  });

  it("does not send when the subscription's secret cannot be opened, and tries again later", async () => {
    const { row, deliveries } = memoryDeliveries();
    const requests: WebhookRequest[] = [];
    const loop = startDeliveryLoop({
      deliveries,
      secrets: null,
      send: async (request) => {
        requests.push(request);
        return { delivered: true, statusCode: 200, error: null, permanent: false };
      },
      metrics: { recorded: () => undefined, attempted: () => undefined },
      log: createLogger("test", { level: "silent" }),
      settings: { retryBaseMs: 60_000, timeoutMs: 1_000, pollMs: 5, concurrency: 1 },
    });
    await until(() => row.attempts === 1 && row.nextAttemptAt !== Infinity && row.nextAttemptAt > Date.now() + 30_000);
    await loop.stop();
    expect(requests).toHaveLength(0);
    expect(row.status).toBe("pending");
  });
});
