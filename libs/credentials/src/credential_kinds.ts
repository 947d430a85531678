import { basicCredential } from "./basic_credential.ts";
import type { CredentialKindDefinition } from "./credential_kind.ts";
import { tokenCredential } from "./token_credential.ts";

/**
 * Every credential kind, by name. The cloud kinds (`gcp_service_account`, `aws`,
 * `azure_service_principal`) join here, each defined in its own file.
 */
export const credentialKinds = {
  basic: basicCredential,
  token: tokenCredential,
} as const;

/** The name of a credential kind. */
export type CredentialKind = keyof typeof credentialKinds;

/** The decrypted secret of a credential of kind `K`. */
export type CredentialSecret<K extends CredentialKind> =
  (typeof credentialKinds)[K] extends CredentialKindDefinition<K, infer Secret> ? Secret : never;

/** A decrypted registry credential: its kind and its secret, discriminated by `kind`. */
export type RegistryCredential = { [K in CredentialKind]: { kind: K; secret: CredentialSecret<K> } }[CredentialKind];

/** True when `value` names a credential kind. */
export function isCredentialKind(value: string): value is CredentialKind {
  return Object.hasOwn(credentialKinds, value);
}
