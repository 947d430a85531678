import { z } from "zod";
import { credentialText, type CredentialKindDefinition } from "./credential_kind.ts";

const guid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The secret of an `azure_service_principal` credential: a Microsoft Entra ID app's client secret (Azure ACR). */
export const azureServicePrincipalSecretSchema = z.object({
  // A directory ID (GUID) or one of its domains (contoso.onmicrosoft.com): what @azure/identity accepts.
  tenant_id: credentialText({
    max: 256,
    rule: { test: (value) => /^[0-9A-Za-z.-]+$/.test(value), message: "must be a directory (tenant) ID or domain" },
  }),
  client_id: credentialText({
    max: 64,
    rule: { test: (value) => guid.test(value), message: "must be an application (client) ID, a GUID" },
  }),
  client_secret: credentialText({ max: 1024 }),
});

/** A service principal: its tenant, application (client) ID and client secret. */
export type AzureServicePrincipalSecret = z.infer<typeof azureServicePrincipalSecretSchema>;

/** The `azure_service_principal` credential kind: `{ tenant_id, client_id, client_secret }`. */
export const azureServicePrincipalCredential: CredentialKindDefinition<"azure_service_principal", AzureServicePrincipalSecret> = {
  kind: "azure_service_principal",
  description: "Azure service principal",
  secretSchema: azureServicePrincipalSecretSchema,
  publicFields: (secret) => ({ username: secret.client_id, provider_hint: "azure" }),
};
