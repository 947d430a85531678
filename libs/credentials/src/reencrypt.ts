import type { SealedSecret, SecretBox } from "./secret_box.ts";
import { SealedSecretError } from "./sealed_secret_error.ts";

/** Where a sealed secret comes from and goes to during key rotation. */
export interface ReencryptOptions {
  credentialId: string;
  /** A box that can open the secret (holds its key as current or previous). */
  from: SecretBox;
  /** The box whose current key seals the result. */
  to: SecretBox;
}

/**
 * Re-seals a secret under `to`'s current key, for key rotation. A secret already under that key
 * is returned unchanged, so a rotation job can run again without rewriting every row.
 */
export function reencrypt(sealed: SealedSecret, options: ReencryptOptions): SealedSecret {
  if (sealed.keyId === options.to.currentKeyId) return sealed;
  const secret = options.from.open(sealed, options.credentialId);
  if (typeof secret !== "object" || secret === null) {
    throw new SealedSecretError(`Cannot re-encrypt the secret of credential ${options.credentialId}: it is not a JSON object`);
  }
  return options.to.seal(secret, options.credentialId);
}
