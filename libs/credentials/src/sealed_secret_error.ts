import { CharthouseError, type CharthouseErrorOptions } from "@charthouse/errors";

/** A sealed credential secret that cannot be opened: unknown key, wrong key, altered or moved. */
export class SealedSecretError extends CharthouseError {
  override name = "SealedSecretError";
  constructor(message: string, options: CharthouseErrorOptions = {}) {
    super("internal", message, {
      ...options,
      solution:
        options.solution ??
        "Set CHARTHOUSE_SECRET_KEY to the key the credential was sealed with (keep the old key as the previous key while rotating), or recreate the credential",
    });
  }
}
