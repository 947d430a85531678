import type { SecretBox } from "@charthouse/credentials";
import { UnavailableError } from "@charthouse/errors";

/** The secret box, or 503 `unavailable` saying that `what` (credentials, subscriptions) cannot be stored without CHARTHOUSE_SECRET_KEY. */
export function requireSecretBox(box: SecretBox | null, what: string): SecretBox {
  if (box === null) {
    throw new UnavailableError(`${what} cannot be stored: CHARTHOUSE_SECRET_KEY is not configured`, {
      code: "unavailable",
      solution: "Set CHARTHOUSE_SECRET_KEY to 32 random bytes in base64 (openssl rand -base64 32) and restart registry-api",
    });
  }
  return box;
}
