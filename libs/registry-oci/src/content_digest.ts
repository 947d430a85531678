import { createHash } from "node:crypto";

/** The digest algorithms Charthouse can verify. */
export type DigestAlgorithm = "sha256" | "sha512";

const digestPattern = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/** True for a `sha256:<64 hex>` or `sha512:<128 hex>` digest. */
export function isContentDigest(value: string): boolean {
  return digestPattern.test(value);
}

/** The digest of `bytes` with the algorithm of `like` (sha256 unless `like` says sha512). */
export function digestOf(bytes: Uint8Array, like = "sha256:"): string {
  const algorithm: DigestAlgorithm = like.startsWith("sha512:") ? "sha512" : "sha256";
  return `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;
}
