import { describe, expect, it } from "vitest";
import { signWebhook, verifyWebhookSignature, webhookHeaders, webhookSecretBytes } from "./webhook_signature.ts";

// The published Standard Webhooks test vector (standard-webhooks spec and its reference libraries).
const vector = { id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1614265330, body: '{"test": 2432232314}' };
const vectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

describe("signWebhook()", () => {
  it("reproduces the Standard Webhooks test vector", () => {
    expect(signWebhook(vector, vectorSecret)).toBe(vectorSignature);
  });

  it("uses a secret without the whsec_ prefix as its bytes, as given", () => {
    expect(webhookSecretBytes("plain secret").toString("utf8")).toBe("plain secret");
    expect(signWebhook(vector, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).not.toBe(vectorSignature);
  });
});

describe("verifyWebhookSignature()", () => {
  it("finds the valid signature among several and refuses a changed body or timestamp", () => {
    expect(verifyWebhookSignature(vector, `v1,bm9wZQ== ${vectorSignature}`, vectorSecret)).toBe(true);
    expect(verifyWebhookSignature({ ...vector, body: '{"test": 1}' }, vectorSignature, vectorSecret)).toBe(false);
    expect(verifyWebhookSignature({ ...vector, timestamp: vector.timestamp + 1 }, vectorSignature, vectorSecret)).toBe(false);
  });
});

describe("webhookHeaders()", () => {
  it("sends the delivery id, the timestamp in seconds and the signature", () => {
    expect(webhookHeaders(vector, vectorSecret)).toEqual({
      "webhook-id": vector.id,
      "webhook-timestamp": "1614265330",
      "webhook-signature": vectorSignature,
    });
  });
});
