/** How the cloud sign-ins reach their providers; each field comes from a setting. */
export interface CloudSignInOptions {
  /** CHARTHOUSE_AWS_ECR_ENDPOINT: the ECR API endpoint instead of the region's own (tests, VPC endpoints). */
  ecrEndpoint?: string | undefined;
  /** CHARTHOUSE_AZURE_AUTHORITY_HOST: the Entra ID authority instead of https://login.microsoftonline.com. */
  azureAuthorityHost?: string | undefined;
  /** CA certificates (PEM) trusted for the Entra ID authority besides the system's: private clouds, tests. */
  azureAuthorityCa?: string | undefined;
  /** The Entra ID scope whose token ACR's /oauth2/exchange takes. Default `https://management.azure.com/.default`. */
  azureScope?: string | undefined;
  /** CHARTHOUSE_REQUEST_TIMEOUT_MS: limit of each call to a provider, in ms. */
  timeoutMs: number;
  /** CHARTHOUSE_BLOCK_PRIVATE_NETWORKS, for the ACR exchange, which goes to the registry itself. */
  blockPrivateNetworks: boolean;
}
