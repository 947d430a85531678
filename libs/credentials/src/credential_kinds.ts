import { awsCredential } from "./aws_credential.ts";
import { azureServicePrincipalCredential } from "./azure_service_principal_credential.ts";
import { basicCredential } from "./basic_credential.ts";
import type { CredentialKindDefinition } from "./credential_kind.ts";
import { gcpServiceAccountCredential } from "./gcp_service_account_credential.ts";
import { tokenCredential } from "./token_credential.ts";

/** Every credential kind, by name, each defined in its own file. */
export const credentialKinds = {
  basic: basicCredential,
  token: tokenCredential,
  gcp_service_account: gcpServiceAccountCredential,
  aws: awsCredential,
  azure_service_principal: azureServicePrincipalCredential,
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

/** The kinds that sign in through a cloud provider for a short-lived token. */
export type CloudCredentialKind = "gcp_service_account" | "aws" | "azure_service_principal";

/** A decrypted cloud credential with its id, as a cloud sign-in receives it. */
export type CloudCredential = Extract<RegistryCredential, { kind: CloudCredentialKind }> & { id: string };

const cloudKinds: ReadonlySet<string> = new Set<CloudCredentialKind>(["gcp_service_account", "aws", "azure_service_principal"]);

/** True for the kinds that sign in through a cloud provider rather than with a static login. */
export function isCloudCredential(credential: RegistryCredential): credential is Extract<RegistryCredential, { kind: CloudCredentialKind }> {
  return cloudKinds.has(credential.kind);
}
