import { createSecretBox, type SecretBox, type SecretKey } from "./secret_box.ts";
import { parseSecretKey, secretKeyId } from "./secret_key.ts";

/** The key settings of a service: the current key and, while rotating, the keys it replaces. */
export interface SecretKeySettings {
  /** CHARTHOUSE_SECRET_KEY: 32 bytes, base64. New secrets are sealed with it. */
  secretKey: string;
  /** CHARTHOUSE_PREVIOUS_SECRET_KEYS: comma-separated base64 keys still accepted for opening. */
  previousSecretKeys?: string | undefined;
}

/**
 * The SecretBox of a service's key settings: seals with the current key and opens secrets under
 * it or any previous key, so services keep working while `npm run rotate-secret-key` runs.
 * Throws InputError naming the setting (never its value) when a key is malformed.
 */
export function secretBoxFromSettings(settings: SecretKeySettings): SecretBox {
  const current = namedKey(parseSecretKey(settings.secretKey, "CHARTHOUSE_SECRET_KEY"));
  const previous = new Map<string, SecretKey>();
  const encoded = (settings.previousSecretKeys ?? "").split(",").map((part) => part.trim()).filter((part) => part !== "");
  encoded.forEach((text, index) => {
    const key = namedKey(parseSecretKey(text, `CHARTHOUSE_PREVIOUS_SECRET_KEYS (key ${index + 1})`));
    // The current key listed again, or a key listed twice, is harmless: keep one of each.
    if (key.id !== current.id) previous.set(key.id, key);
  });
  return createSecretBox({ current, previous: [...previous.values()] });
}

function namedKey(key: Uint8Array): SecretKey {
  return { id: secretKeyId(key), key };
}
