/** An error as the API shows it on a registry, a sync or a version. */
export interface StoredErrorJson {
  code: string;
  message: string;
  cause: string | null;
  solution: string;
}

/** A page of a list endpoint: `?limit=` and `?cursor=` give the next one. */
export interface PageJson<T> {
  items: T[];
  next_cursor: string | null;
}

/** What kind of registry a URL is. */
export type RegistryKindJson = "http_registry" | "oci_registry";

/** Where a registry's syncing stands. */
export type RegistryStateJson = "pending" | "syncing" | "ok" | "error" | "disabled";

/** How a sync ended. */
export type SyncOutcomeJson = "updated" | "unchanged" | "failed";

/** A registry with its sync status. */
export interface RegistryJson {
  id: string;
  name: string;
  url: string;
  kind: RegistryKindJson;
  credential_id: string | null;
  sync_interval_seconds: number;
  status: {
    state: RegistryStateJson;
    last_sync_at: string | null;
    last_success_at: string | null;
    next_sync_at: string | null;
    last_outcome: SyncOutcomeJson | null;
    last_error: StoredErrorJson | null;
    charts: number;
    versions: number;
    versions_pending: number;
    versions_failed: number;
    /** Sync progress beyond api.md: versions whose archive is downloaded and verified (downloaded or ready). */
    versions_downloaded: number;
    /** Versions whose files are extracted. */
    versions_ready: number;
  };
  created_at: string;
  updated_at: string;
}

/** A note on a sync: something met that is not an error (skipped artifacts, rate limits). */
export interface SyncNoteJson {
  code: string;
  message: string;
  count: number;
}

/** One sync of one registry. */
export interface SyncRunJson {
  id: string;
  trigger: "schedule" | "manual" | "create" | "push";
  requested_at: string;
  started_at: string | null;
  finished_at: string | null;
  outcome: SyncOutcomeJson | null;
  http_status: number | null;
  bytes: number | null;
  charts_seen: number | null;
  versions_added: number | null;
  versions_removed: number | null;
  duration_ms: number | null;
  /** Deliveries of this sync so far: more than 1 means it was retried with backoff. */
  attempts: number;
  error: StoredErrorJson | null;
  notes: SyncNoteJson[];
}

/** A credential: never any secret. */
export interface CredentialJson {
  id: string;
  name: string;
  kind: string;
  username?: string;
  provider_hint?: string;
  created_at: string;
  updated_at: string;
}

/** A chart of a registry, with the facts of its newest version. */
export interface ChartJson {
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

/** The life of a version: discovered -> downloaded -> ready | failed; removed is a tombstone. */
export type ChartVersionStateJson = "discovered" | "downloaded" | "ready" | "failed" | "removed";

/** A chart version: `urls` for HTTP registries, `oci_reference` for OCI. */
export interface ChartVersionJson {
  registry_id: string;
  chart: string;
  version: string;
  app_version: string | null;
  description: string | null;
  created: string | null;
  digest: string | null;
  deprecated: boolean;
  state: ChartVersionStateJson;
  error: StoredErrorJson | null;
  attempts: number;
  urls?: string[];
  oci_reference?: string | null;
  archive_sha256: string | null;
  size: number | null;
}

/** A version with what is known of its Chart.yaml (from the archive when ready, else from the registry). */
export interface ChartVersionDetailJson extends ChartVersionJson {
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

/** An API token: never its value nor its hash (the value is shown once, on creation). */
export interface TokenJson {
  id: string;
  name: string;
  scopes: string[];
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
}

/** An organisation. */
export interface OrganizationJson {
  id: string;
  name: string;
  created_at: string;
}

/** An error answer (RFC 9457 problem document). */
export interface ProblemJson {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  cause?: string;
  solution?: string;
  errors?: { field: string; message: string }[];
}

/** A receiver of a registry's push events; `secret` only in the answer that created it. */
export interface ReceiverJson {
  id: string;
  name: string;
  kind: "distribution" | "harbor" | "dockerhub" | "github" | "acr" | "cloudevents" | "generic";
  registry_id: string;
  /** Where the sender posts its events (Docker Hub: with `/{secret}` appended). */
  url: string;
  secret?: string;
  /** What to paste into the sender's configuration. */
  snippet: { format: "yaml" | "json" | "shell" | "text"; content: string };
  created_at: string;
}

/** The answer to an event posted to a receiver. */
export type ReceiverEventJson = { ignored: true; reason: string } | { ignored: false; sync_id: string; repository: string | null };
