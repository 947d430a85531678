import type { CredentialKind } from "../api/api_types.ts";

/** One input of a credential form. */
export interface CredentialField {
  name: string;
  label: string;
  /** Secret fields are password inputs (or a textarea) and are never shown back. */
  secret: boolean;
  optional: boolean;
  multiline?: boolean;
  hint?: string;
}

/** Each credential kind of the API with what it is for and the fields it takes. */
export const credentialKinds: readonly { kind: CredentialKind; label: string; usedFor: string; fields: readonly CredentialField[] }[] = [
  {
    kind: "basic",
    label: "Username and password",
    usedFor: "Harbor, Nexus, Artifactory, ChartMuseum, any registry",
    fields: [
      { name: "username", label: "Username", secret: false, optional: false },
      { name: "password", label: "Password", secret: true, optional: false },
    ],
  },
  {
    kind: "token",
    label: "Access token",
    usedFor: "GHCR personal access token, Docker Hub access token, bearer tokens for HTTP repositories",
    fields: [
      { name: "token", label: "Token", secret: true, optional: false },
      { name: "username", label: "Username", secret: false, optional: true, hint: "Some registries (GHCR, Docker Hub) want the account name too" },
    ],
  },
  {
    kind: "gcp_service_account",
    label: "Google service account",
    usedFor: "Google Artifact Registry",
    fields: [
      {
        name: "service_account_json",
        label: "Service account key (JSON)",
        secret: true,
        optional: false,
        multiline: true,
        hint: "The whole key file, with client_email and private_key",
      },
    ],
  },
  {
    kind: "aws",
    label: "AWS access key",
    usedFor: "Amazon ECR",
    fields: [
      { name: "access_key_id", label: "Access key ID", secret: false, optional: false },
      { name: "secret_access_key", label: "Secret access key", secret: true, optional: false },
      { name: "session_token", label: "Session token", secret: true, optional: true },
      { name: "region", label: "Region", secret: false, optional: true, hint: "e.g. eu-west-1; read from the registry address when omitted" },
    ],
  },
  {
    kind: "azure_service_principal",
    label: "Azure service principal",
    usedFor: "Azure Container Registry",
    fields: [
      { name: "tenant_id", label: "Tenant ID", secret: false, optional: false },
      { name: "client_id", label: "Client ID", secret: false, optional: false },
      { name: "client_secret", label: "Client secret", secret: true, optional: false },
    ],
  },
];

/** The label of a kind ("basic" -> "Username and password"); unknown kinds as they are. */
export function credentialKindLabel(kind: string): string {
  return credentialKinds.find((k) => k.kind === kind)?.label ?? kind;
}
