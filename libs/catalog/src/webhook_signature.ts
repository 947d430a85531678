import { createHmac, timingSafeEqual } from "node:crypto";

/** What a Standard Webhooks signature covers: the message id, its Unix time in seconds and the exact body. */
export interface SignedWebhook {
  id: string;
  timestamp: number;
  body: string;
}

const secretPrefix = "whsec_";

/** The key bytes of a webhook secret: base64-decoded after a `whsec_` prefix, else its UTF-8 bytes as given. */
export function webhookSecretBytes(secret: string): Buffer {
  return secret.startsWith(secretPrefix) ? Buffer.from(secret.slice(secretPrefix.length), "base64") : Buffer.from(secret, "utf8");
}

/** The `webhook-signature` header value: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`. */
export function signWebhook(message: SignedWebhook, secret: string): string {
  const mac = createHmac("sha256", webhookSecretBytes(secret)).update(`${message.id}.${message.timestamp}.${message.body}`).digest("base64");
  return `v1,${mac}`;
}

/** Whether a `webhook-signature` header (space-separated signatures) holds a valid v1 signature of the message. */
export function verifyWebhookSignature(message: SignedWebhook, header: string, secret: string): boolean {
  const expected = Buffer.from(signWebhook(message, secret));
  return header
    .split(" ")
    .map((candidate) => Buffer.from(candidate))
    .some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
}

/** The three Standard Webhooks headers of one delivery attempt. */
export function webhookHeaders(message: SignedWebhook, secret: string): Record<string, string> {
  return {
    "webhook-id": message.id,
    "webhook-timestamp": String(message.timestamp),
    "webhook-signature": signWebhook(message, secret),
  };
}
