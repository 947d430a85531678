import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { bearerMatches, githubSignatureMatches, hashReceiverSecret, newReceiverSecret, secretMatches } from "./hooks_signature.ts";

describe("receiver secrets", () => {
  const secret = newReceiverSecret();
  const hash = hashReceiverSecret(secret);

  it("newReceiverSecret() makes a different 64-hex-digit secret each time, stored only as its sha256", () => {
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(newReceiverSecret()).not.toBe(secret);
    expect(hash).not.toContain(secret);
  });

  it("bearerMatches() takes the secret as a bearer token and nothing else", () => {
    expect(bearerMatches(`Bearer ${secret}`, hash)).toBe(true);
    expect(bearerMatches(`bearer ${secret}`, hash)).toBe(true);
    expect(bearerMatches(`Bearer ${secret}x`, hash)).toBe(false);
    expect(bearerMatches(`Basic ${secret}`, hash)).toBe(false);
    expect(bearerMatches(undefined, hash)).toBe(false);
    expect(bearerMatches("Bearer ", hash)).toBe(false);
  });

  it("secretMatches() compares a path secret with the stored hash", () => {
    expect(secretMatches(secret, hash)).toBe(true);
    expect(secretMatches(secret.toUpperCase(), hash)).toBe(false);
  });
});

describe("githubSignatureMatches()", () => {
  // GitHub's documented test vector (docs.github.com "Validating webhook deliveries").
  it("accepts GitHub's documented example signature", () => {
    const body = Buffer.from("Hello, World!");
    const signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    expect(githubSignatureMatches(signature, body, "It's a Secret to Everybody")).toBe(true);
  });

  it("refuses a signature of another body or key, a missing one, and the sha1 form", () => {
    const body = Buffer.from('{"action":"published"}');
    const good = `sha256=${createHmac("sha256", "k").update(body).digest("hex")}`;
    expect(githubSignatureMatches(good, body, "k")).toBe(true);
    expect(githubSignatureMatches(good, Buffer.from('{"action":"updated"}'), "k")).toBe(false);
    expect(githubSignatureMatches(good, body, "other")).toBe(false);
    expect(githubSignatureMatches(undefined, body, "k")).toBe(false);
    expect(githubSignatureMatches(`sha1=${createHmac("sha1", "k").update(body).digest("hex")}`, body, "k")).toBe(false);
  });
});
