/**
 * Registry credentials: their kinds and secret schemas, AES-256-GCM sealing of secrets with key
 * rotation, and the login (or Authorization header) each kind signs in with.
 */
export { parseSecretKey, secretKeyBytes, secretKeyId } from "./secret_key.ts";
export { createSecretBox, type SealedSecret, type SecretBox, type SecretBoxKeys, type SecretKey } from "./secret_box.ts";
export { secretBoxFromSettings, type SecretKeySettings } from "./secret_box_from_settings.ts";
export { reencrypt, type ReencryptOptions } from "./reencrypt.ts";
export {
  rotateSecretKeys,
  type RotateSecretKeysOptions,
  type RotationCounts,
  type SealedSecretStore,
  type StoredSealedSecret,
} from "./rotate_secret_keys.ts";
export { SealedSecretError } from "./sealed_secret_error.ts";
export {
  credentialText,
  type CredentialKindDefinition,
  type CredentialPublicFields,
  type CredentialTextOptions,
} from "./credential_kind.ts";
export { basicCredential, basicSecretSchema, type BasicSecret } from "./basic_credential.ts";
export { tokenCredential, tokenSecretSchema, type TokenSecret } from "./token_credential.ts";
export {
  defaultGoogleTokenUri,
  gcpServiceAccountCredential,
  gcpServiceAccountKeyFileSchema,
  gcpServiceAccountSecretSchema,
  type GcpServiceAccountSecret,
} from "./gcp_service_account_credential.ts";
export { awsCredential, awsSecretSchema, type AwsSecret } from "./aws_credential.ts";
export {
  azureServicePrincipalCredential,
  azureServicePrincipalSecretSchema,
  type AzureServicePrincipalSecret,
} from "./azure_service_principal_credential.ts";
export {
  credentialKinds,
  isCloudCredential,
  isCredentialKind,
  type CloudCredential,
  type CloudCredentialKind,
  type CredentialKind,
  type CredentialSecret,
  type RegistryCredential,
} from "./credential_kinds.ts";
export { parseStoredCredential, validateCredentialInput, type ValidatedCredentialInput } from "./validate_credential_input.ts";
export { authorizationHeader, type StaticRegistryCredential } from "./authorization_header.ts";
export {
  loginAuthorizationHeader,
  registryLogins,
  staticLogin,
  type CloudSignIn,
  type RegistryLogin,
  type RegistryLogins,
  type RegistryLoginsOptions,
  type SealedCredentialRow,
} from "./registry_login.ts";
