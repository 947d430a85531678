/** The shapes of the REST API (shared/docs/api.md) that the UI reads and writes. */

/** An error as the API stores it on a registry, a sync or a version. */
export interface StoredError {
  code: string;
  message: string;
  cause: string | null;
  solution: string | null;
}

/** A page of a list endpoint. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** The state of a registry. */
export type RegistryState = "pending" | "syncing" | "ok" | "error" | "disabled";

/** A registry with its sync status. */
export interface Registry {
  id: string;
  name: string;
  url: string;
  kind: "http_registry" | "oci_registry";
  credential_id: string | null;
  sync_interval_seconds: number;
  status: {
    state: RegistryState;
    last_sync_at: string | null;
    last_success_at: string | null;
    next_sync_at: string | null;
    last_outcome: "updated" | "unchanged" | "failed" | null;
    last_error: StoredError | null;
    charts: number;
    versions: number;
    versions_pending: number;
    versions_failed: number;
    /** Not in the contract yet; shown when a later API adds it. */
    versions_downloaded?: number;
  };
  created_at: string;
  updated_at: string;
}

/** The kinds of credential and the secret fields each one takes. */
export type CredentialKind = "basic" | "token" | "gcp_service_account" | "aws" | "azure_service_principal";

/** A credential, never with its secret. */
export interface Credential {
  id: string;
  name: string;
  kind: CredentialKind | string;
  username?: string | null;
  provider_hint?: string | null;
  created_at: string;
  updated_at: string;
}

/** A chart of a registry. */
export interface Chart {
  registry_id: string;
  name: string;
  description: string | null;
  icon: string | null;
  home: string | null;
  latest_version: string | null;
  app_version: string | null;
  deprecated: boolean;
  versions: number;
  updated_at: string;
}

/** The lifecycle state of a chart version. */
export type VersionState = "discovered" | "downloaded" | "ready" | "failed" | "removed";

/** A version of a chart. */
export interface ChartVersion {
  registry_id: string;
  chart: string;
  version: string;
  app_version: string | null;
  description: string | null;
  created: string | null;
  digest: string | null;
  deprecated: boolean;
  state: VersionState;
  error: StoredError | null;
  attempts: number;
  urls?: string[];
  oci_reference?: string | null;
  archive_sha256: string | null;
  size: number | null;
}

/** A version with its Chart.yaml facts. */
export interface ChartVersionDetail extends ChartVersion {
  chart_yaml: Record<string, unknown> | null;
  has_readme: boolean;
  has_values: boolean;
  has_schema: boolean;
  dependencies: unknown[];
  keywords: string[];
  maintainers: unknown[];
  sources: string[];
  annotations: Record<string, string>;
  kube_version: string | null;
  type: string | null;
}
