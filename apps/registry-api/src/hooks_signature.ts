import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** A new receiver secret: 32 random bytes, hex (safe in a header and in a URL path). */
export function newReceiverSecret(): string {
  return randomBytes(32).toString("hex");
}

/** The stored form of a bearer or path secret: sha256, hex. */
export function hashReceiverSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Whether `Authorization: Bearer <secret>` carries the secret whose sha256 is `hash` (constant time). */
export function bearerMatches(authorization: string | undefined, hash: string): boolean {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? "");
  return match?.[1] !== undefined && secretMatches(match[1], hash);
}

/** Whether a secret given in the clear (a path segment) is the one whose sha256 is `hash` (constant time). */
export function secretMatches(given: string, hash: string): boolean {
  return equalInConstantTime(hashReceiverSecret(given), hash);
}

/**
 * Whether `X-Hub-Signature-256` is `sha256=` and the hex HMAC-SHA256 of the raw body under the
 * secret, as GitHub signs its webhooks (constant time).
 */
export function githubSignatureMatches(signature: string | undefined, body: Buffer, secret: string): boolean {
  if (signature === undefined || !signature.startsWith("sha256=")) return false;
  const expected = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  return equalInConstantTime(signature.toLowerCase(), expected);
}

function equalInConstantTime(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}
