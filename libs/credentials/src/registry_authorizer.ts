import { CharthouseError } from "@charthouse/errors";
import { authorizationHeader } from "./authorization_header.ts";
import { createSecretBox, type SecretBox } from "./secret_box.ts";
import { parseSecretKey, secretKeyId } from "./secret_key.ts";
import { parseStoredCredential } from "./validate_credential_input.ts";

/** A credential row as a service reads it: public fields and the sealed secret. */
export interface SealedCredentialRow {
  id: string;
  kind: string;
  keyId: string;
  ciphertext: string;
}

/** Turns a registry's sealed credential (or none) into an Authorization header value (or none). */
export type RegistryAuthorizer = (credential: SealedCredentialRow | null) => Promise<string | undefined>;

/**
 * Makes the authorizer of a service that calls registries. The secret is opened only here, in
 * the service that uses it, and only for the request being made. Without CHARTHOUSE_SECRET_KEY a
 * registry with a credential fails with a clear error; registries without one still sync.
 */
export function registryAuthorizer(secretKey: string | undefined): RegistryAuthorizer {
  let box: SecretBox | undefined;
  if (secretKey !== undefined) {
    const key = parseSecretKey(secretKey);
    box = createSecretBox({ current: { id: secretKeyId(key), key } });
  }
  return async (credential) => {
    if (credential === null) return undefined;
    if (box === undefined) {
      throw new CharthouseError("credential_rejected", `Credential ${credential.id} cannot be opened: CHARTHOUSE_SECRET_KEY is not set`, {
        solution: "Set CHARTHOUSE_SECRET_KEY to the key the credential was saved with",
      });
    }
    // basic and token are the kinds so far; cloud kinds will exchange tokens here first.
    return authorizationHeader(parseStoredCredential(credential.kind, box.open(credential, credential.id), credential.id));
  };
}
