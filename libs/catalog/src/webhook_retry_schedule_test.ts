import { describe, expect, it } from "vitest";
import { nextWebhookAttempt } from "./webhook_retry_schedule.ts";

describe("nextWebhookAttempt()", () => {
  const createdAt = new Date("2026-12-01T00:00:00Z");

  it("retries first after the base delay, then doubles", () => {
    const now = createdAt;
    const delays = [1, 2, 3, 4].map((attempts) => (nextWebhookAttempt(attempts, { baseMs: 5_000, createdAt, now })?.getTime() ?? 0) - now.getTime());
    expect(delays).toEqual([5_000, 10_000, 20_000, 40_000]);
  });

  it("gives up once the next attempt would fall more than a day after the delivery was recorded", () => {
    const now = new Date(createdAt.getTime() + 23 * 3600_000);
    expect(nextWebhookAttempt(1, { baseMs: 5_000, createdAt, now })).not.toBeNull();
    expect(nextWebhookAttempt(15, { baseMs: 5_000, createdAt, now })).toBeNull();
  });
});
