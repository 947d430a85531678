/** The entity schemas of every table. */
import { ApiTokenEntity } from "./api_token.ts";
import { ChartEntity } from "./chart.ts";
import { ChartVersionEntity } from "./chart_version.ts";
import { CredentialEntity } from "./credential.ts";
import { OrganizationEntity } from "./organization.ts";
import { RegistryEntity } from "./registry.ts";
import { SyncRunEntity } from "./sync_run.ts";

export { ApiTokenEntity, type ApiToken } from "./api_token.ts";
export { ChartEntity, type Chart } from "./chart.ts";
export { ChartVersionEntity, type ChartVersion, type ChartVersionState } from "./chart_version.ts";
export { CredentialEntity, type Credential } from "./credential.ts";
export { OrganizationEntity, type Organization } from "./organization.ts";
export { RegistryEntity, type Registry, type RegistryKind } from "./registry.ts";
export { SyncRunEntity, type SyncNote, type SyncRun } from "./sync_run.ts";

export const entitySchemas = [
  OrganizationEntity,
  ApiTokenEntity,
  CredentialEntity,
  RegistryEntity,
  SyncRunEntity,
  ChartEntity,
  ChartVersionEntity,
];
