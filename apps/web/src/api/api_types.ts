/**
 * The shapes of the REST API (shared/docs/api.md) under the names the UI uses: one definition,
 * in libs/api-types, shared with registry-api, so the two cannot drift apart.
 */
import type * as Api from "@charthouse/api-types";

export type StoredError = Api.StoredErrorJson;
export type Page<T> = Api.PageJson<T>;
export type RegistryState = Api.RegistryStateJson;
export type Registry = Api.RegistryJson;
export type Credential = Api.CredentialJson;
export type Chart = Api.ChartJson;
export type VersionState = Api.ChartVersionStateJson;
export type ChartVersion = Api.ChartVersionJson;
export type ChartVersionDetail = Api.ChartVersionDetailJson;

/** What changed between two versions of a chart (GET .../charts/{name}/compare?from=&to=). */
export interface VersionComparison {
  chart: string;
  from: string;
  to: string;
  values: {
    added: { path: string; new: unknown }[];
    removed: { path: string; old: unknown }[];
    changed: { path: string; old: unknown; new: unknown }[];
  };
  schema: {
    added: { path: string }[];
    removed: { path: string }[];
    changed: { path: string; field: string; old: unknown; new: unknown }[];
  };
  chart_yaml: {
    changed: { field: string; old: unknown; new: unknown }[];
    dependencies: {
      added: ChartDependency[];
      removed: ChartDependency[];
      changed: { name: string; old: Record<string, unknown>; new: Record<string, unknown> }[];
    };
  };
  images: { from: string[]; to: string[]; added: string[]; removed: string[]; changed: { repository: string; old: string; new: string }[] };
  changelog: { version: string; kind: string | null; description: string }[];
}

/** A dependency of Chart.yaml as written (name, version, repository, condition, alias...). */
export type ChartDependency = Record<string, unknown> & { name: string };

/** What a user's values file would do to a chart version (POST .../versions/{version}/check-values). */
export interface ValuesCheck {
  unknown_keys: { path: string }[];
  schema_errors: { path: string; message: string }[];
}

/** The kinds of credential, each with its own form (see credential_kinds.ts). */
export type CredentialKind = "basic" | "token" | "gcp_service_account" | "aws" | "azure_service_principal";
