import { createHash } from "node:crypto";
import { InputError } from "@charthouse/errors";

/** The length of a credential encryption key: AES-256. */
export const secretKeyBytes = 32;

/**
 * Decodes CHARTHOUSE_SECRET_KEY (32 random bytes, base64 or base64url) into a key, or throws
 * InputError naming the setting. The value itself is never repeated in the error.
 */
export function parseSecretKey(encoded: string | undefined, setting: string = "CHARTHOUSE_SECRET_KEY"): Uint8Array {
  const problem = (message: string): InputError =>
    new InputError(`${setting} ${message}`, {
      fields: [{ field: setting, message }],
      solution: `Set ${setting} to 32 random bytes in base64, e.g. the output of \`openssl rand -base64 32\``,
    });
  const text = (encoded ?? "").trim();
  if (text === "") throw problem("is not set");
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) throw problem("is not base64");
  const key = new Uint8Array(Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64"));
  if (key.byteLength !== secretKeyBytes) {
    throw problem(`must decode to ${secretKeyBytes} bytes, not ${key.byteLength}`);
  }
  return key;
}

/** A short, stable id for a key (a SHA-256 fingerprint), stored beside each sealed secret. */
export function secretKeyId(key: Uint8Array): string {
  return `k1-${createHash("sha256").update(key).digest("hex").slice(0, 16)}`;
}
