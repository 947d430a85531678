import { adminPaths, adminSchemas } from "./openapi_admin.ts";
import { comparePaths, compareSchemas } from "./openapi_compare.ts";
import { helmPaths } from "./openapi_helm.ts";
import { subscriptionPaths, subscriptionSchemas } from "./openapi_subscriptions.ts";
import { receiverPaths, receiverSchemas } from "./openapi_receivers.ts";
import {
  errors,
  idParam,
  int,
  json,
  nameParam,
  nullable,
  nullableTime,
  object,
  op,
  page,
  pageParams,
  problem,
  ref,
  str,
  time,
  uuid,
  versionParam,
  type OperationObject,
  type ResponseObject,
  type SchemaObject,
} from "./openapi_builders.ts";

const storedError = object({ code: str(), message: str(), cause: nullable("string"), solution: str() });

const registryStatus = object({
  state: { type: "string", enum: ["pending", "syncing", "ok", "error", "disabled"] },
  last_sync_at: nullableTime,
  last_success_at: nullableTime,
  next_sync_at: { ...nullableTime, description: "null when automatic sync is disabled (interval 0)" },
  last_outcome: { type: ["string", "null"], enum: ["updated", "unchanged", "failed", null] },
  last_error: { oneOf: [ref("StoredError"), { type: "null" }] },
  charts: { ...int, description: "Charts with at least one version" },
  versions: { ...int, description: "Versions not removed" },
  versions_pending: { ...int, description: "Versions discovered or downloaded, not yet ready" },
  versions_failed: int,
  versions_downloaded: { ...int, description: "Versions whose archive is downloaded and verified (downloaded or ready): sync progress" },
  versions_ready: { ...int, description: "Versions whose files are extracted" },
});

const registryKind: SchemaObject = { type: "string", enum: ["http_registry", "oci_registry"] };
const interval: SchemaObject = { type: "integer", minimum: 0, maximum: 86_400, default: 120, description: "0 disables automatic sync; otherwise 10..86400" };
const registryName: SchemaObject = { type: "string", minLength: 1, maxLength: 100 };

const schemas: Record<string, SchemaObject> = {
  Problem: object(
    {
      type: str("URI of the problem type"),
      title: str(),
      status: int,
      detail: str(),
      code: str("Stable snake_case error code"),
      cause: str(),
      solution: str(),
      errors: { type: "array", items: object({ field: str(), message: str() }) },
    },
    ["type", "title", "status", "detail", "code"],
  ),
  StoredError: storedError,
  Registry: object({
    id: uuid,
    name: str(),
    url: str("Normalised URL"),
    kind: registryKind,
    credential_id: nullable("string", { format: "uuid" }),
    sync_interval_seconds: int,
    status: registryStatus,
    created_at: time,
    updated_at: time,
  }),
  RegistryCreate: object(
    {
      name: registryName,
      url: str("http(s):// chart repository or oci:// registry; no user name or password"),
      kind: registryKind,
      credential_id: nullable("string", { format: "uuid" }),
      sync_interval_seconds: interval,
    },
    ["name", "url"],
  ),
  RegistryBulkCreate: object(
    {
      registries: {
        type: "array",
        minItems: 1,
        maxItems: 1000,
        items: ref("RegistryCreate"),
        description: "Created all or none; names unique among them and in the organisation",
      },
    },
    ["registries"],
  ),
  RegistryList: object({ registries: { type: "array", items: ref("Registry"), description: "In the order of the request" } }, ["registries"]),
  RegistryPatch: object(
    { name: registryName, url: str(), credential_id: nullable("string", { format: "uuid" }), sync_interval_seconds: interval },
    [],
  ),
  SyncAccepted: object({
    sync_id: uuid,
    versions_retried: {
      type: "integer",
      minimum: 0,
      description: "Failed versions of the registry queued for another download (Sync now retries them all; 0 for other syncs)",
    },
  }),
  SyncRun: object({
    id: uuid,
    trigger: { type: "string", enum: ["schedule", "manual", "create", "push"] },
    requested_at: time,
    started_at: nullableTime,
    finished_at: nullableTime,
    outcome: { type: ["string", "null"], enum: ["updated", "unchanged", "failed", null] },
    http_status: nullable("integer"),
    bytes: nullable("integer"),
    charts_seen: nullable("integer"),
    versions_added: nullable("integer"),
    versions_removed: nullable("integer"),
    duration_ms: nullable("integer"),
    attempts: int,
    error: { oneOf: [ref("StoredError"), { type: "null" }] },
    notes: {
      type: "array",
      description: "What the sync met that is not an error (OCI artifacts that are not charts, rate limits waited out)",
      items: object({ code: str(), message: str(), count: int }),
    },
  }),
  Credential: object(
    { id: uuid, name: str(), kind: str(), username: str(), provider_hint: str(), created_at: time, updated_at: time },
    ["id", "name", "kind", "created_at", "updated_at"],
  ),
  CredentialCreate: {
    oneOf: [
      object({ name: registryName, kind: { type: "string", enum: ["basic"] }, username: str(), password: str() }),
      {
        ...object({ name: registryName, kind: { type: "string", enum: ["token"] }, token: str(), username: str() }, ["name", "kind", "token"]),
      },
      object({
        name: registryName,
        kind: { type: "string", enum: ["gcp_service_account"] },
        service_account_json: { description: "The service account's JSON key file, as text or as an object", type: ["string", "object"] },
      }),
      object(
        {
          name: registryName,
          kind: { type: "string", enum: ["aws"] },
          access_key_id: str(),
          secret_access_key: str(),
          session_token: str(),
          region: str(),
        },
        ["name", "kind", "access_key_id", "secret_access_key"],
      ),
      object({ name: registryName, kind: { type: "string", enum: ["azure_service_principal"] }, tenant_id: str(), client_id: str(), client_secret: str() }),
    ],
  },
  CredentialPatch: object(
    {
      name: registryName,
      username: str(),
      password: str(),
      token: str(),
      service_account_json: { type: ["string", "object"] },
      access_key_id: str(),
      secret_access_key: str(),
      session_token: str(),
      region: str(),
      tenant_id: str(),
      client_id: str(),
      client_secret: str(),
    },
    [],
  ),
  Chart: object({
    registry_id: uuid,
    name: str(),
    description: nullable("string"),
    icon: nullable("string"),
    home: nullable("string"),
    latest_version: nullable("string"),
    app_version: nullable("string"),
    deprecated: { type: "boolean" },
    versions: int,
    updated_at: time,
  }),
  ChartVersion: object(
    {
      registry_id: uuid,
      chart: str(),
      version: str(),
      app_version: nullable("string"),
      description: nullable("string"),
      created: nullable("string"),
      digest: nullable("string"),
      deprecated: { type: "boolean" },
      state: { type: "string", enum: ["discovered", "downloaded", "ready", "failed", "removed"] },
      error: { oneOf: [ref("StoredError"), { type: "null" }] },
      attempts: int,
      urls: { type: "array", items: str(), description: "HTTP registries only" },
      oci_reference: { ...nullable("string"), description: "OCI registries only" },
      archive_sha256: nullable("string"),
      size: nullable("integer"),
    },
    ["registry_id", "chart", "version", "app_version", "description", "created", "digest", "deprecated", "state", "error", "attempts", "archive_sha256", "size"],
  ),
  ChartVersionDetail: {
    description: "A ChartVersion plus its Chart.yaml facts (from the archive when ready, else from the index)",
    allOf: [
      ref("ChartVersion"),
      object({
        chart_yaml: { type: ["object", "null"] },
        has_readme: { type: "boolean" },
        has_values: { type: "boolean" },
        has_schema: { type: "boolean" },
        dependencies: { type: "array", items: { type: "object" } },
        keywords: { type: "array", items: str() },
        maintainers: { type: "array", items: { type: "object" } },
        sources: { type: "array", items: str() },
        annotations: { type: "object", additionalProperties: str() },
        kube_version: nullable("string"),
        type: nullable("string"),
      }),
    ],
  },
  RegistryPage: page("Registry"),
  SyncRunPage: page("SyncRun"),
  CredentialPage: page("Credential"),
  ChartPage: page("Chart"),
  ChartVersionPage: page("ChartVersion"),
  Token: object({
    id: uuid,
    name: str(),
    scopes: { type: "array", items: ref("TokenScope") },
    created_at: time,
    last_used_at: { ...nullableTime, description: "Recorded at most once a minute" },
    expires_at: { ...nullableTime, description: "null: never expires" },
  }),
  TokenScope: {
    type: "string",
    enum: ["read", "write", "admin"],
    description: "Nested: admin ⊇ write ⊇ read. read: every GET; write: also POST/PATCH/DELETE of registries, credentials, subscriptions and receivers; admin: also /tokens (and /organizations for the default organisation)",
  },
  TokenCreate: object(
    {
      name: registryName,
      scopes: { type: "array", items: ref("TokenScope"), description: "At least one; none beyond the creating token's" },
      expires_at: { ...nullableTime, description: "In the future, and not after the creating token's own expiry" },
    },
    ["name", "scopes"],
  ),
  TokenCreated: {
    description: "A Token plus its value, shown in this response only",
    allOf: [ref("Token"), object({ token: str("The bearer token value (chp_...): store it now, it is never shown again") })],
  },
  TokenPage: page("Token"),
  Organization: object({ id: uuid, name: str(), created_at: time }),
  OrganizationCreate: object({ name: registryName, token_name: { ...registryName, description: "Name of the first token (default admin)" } }, ["name"]),
  OrganizationCreated: object({ organization: ref("Organization"), token: ref("TokenCreated") }),
  ...adminSchemas,
  ...compareSchemas,
  ...subscriptionSchemas,
  ...receiverSchemas,
};

const versionParams = [idParam("registry"), nameParam, versionParam];
const fileResponses = (mediaType: string, schema: SchemaObject): Record<string, ResponseObject> => ({
  200: { description: "The file", content: { [mediaType]: { schema } } },
  404: problem("No such version (not_found), not ready yet (not_extracted), or the chart has no such file (not_found)"),
});

const paths: Record<string, Record<string, OperationObject>> = {
  "/tokens": {
    get: op("listTokens", "List API tokens that are not revoked (never their values); needs admin", "tokens", { 200: { description: "A page of tokens", content: json(ref("TokenPage")) }, 422: errors[422] }, { parameters: pageParams }),
    post: op(
      "createToken",
      "Make an API token; its value is in this response only; needs admin",
      "tokens",
      {
        201: { description: "The token and its value", content: json(ref("TokenCreated")), headers: { Location: { schema: str() } } },
        422: errors[422],
      },
      { requestBody: { required: true, content: json(ref("TokenCreate")) } },
    ),
  },
  "/tokens/{id}": {
    get: op("getToken", "Get an API token (never its value); needs admin", "tokens", { 200: { description: "The token", content: json(ref("Token")) }, 404: errors[404] }, { parameters: [idParam("token")] }),
    delete: op("revokeToken", "Revoke an API token: refused at once by the copy of the API that answers, by every other copy within 5 s (each remembers an admitted token that long); needs admin", "tokens", { 204: { description: "Revoked" }, 404: errors[404] }, { parameters: [idParam("token")] }),
  },
  "/organizations": {
    post: op(
      "createOrganization",
      "Create an organisation and its first admin token; only an admin token of the default organisation may",
      "organizations",
      { 201: { description: "The organisation and its first token, whose value is shown only here", content: json(ref("OrganizationCreated")) }, 409: problem("The name is taken (code conflict)"), 422: errors[422] },
      { requestBody: { required: true, content: json(ref("OrganizationCreate")) } },
    ),
  },
  ...adminPaths,
  ...comparePaths,
  ...subscriptionPaths,
  "/organizations/current": {
    get: op("getCurrentOrganization", "The organisation of the calling token", "organizations", { 200: { description: "The organisation", content: json(ref("Organization")) } }),
  },
  "/registries": {
    get: op("listRegistries", "List registries", "registries", { 200: { description: "A page of registries", content: json(ref("RegistryPage")) }, 422: errors[422] }, { parameters: pageParams }),
    post: op(
      "createRegistry",
      "Add a registry; it is synced at once",
      "registries",
      {
        201: { description: "The registry", content: json(ref("Registry")), headers: { Location: { schema: str() } } },
        409: problem("The name is taken (code conflict)"),
        422: errors[422],
      },
      { requestBody: { required: true, content: json(ref("RegistryCreate")) } },
    ),
  },
  "/registries/bulk": {
    post: op(
      "createRegistries",
      "Add up to 1,000 registries in one request, all or none; each is synced at once",
      "registries",
      {
        201: { description: "The registries, in the order given", content: json(ref("RegistryList")) },
        409: problem("A name is taken in the organisation (code conflict); nothing was created"),
        422: problem("Invalid input; fields are named registries.<index>.<field>, every problem of every registry at once; nothing was created"),
      },
      { requestBody: { required: true, content: json(ref("RegistryBulkCreate")) } },
    ),
  },
  "/registries/{id}": {
    get: op("getRegistry", "Get a registry", "registries", { 200: { description: "The registry", content: json(ref("Registry")) }, 404: errors[404] }, { parameters: [idParam("registry")] }),
    patch: op(
      "updateRegistry",
      "Change a registry; a new url or credential forgets the stored validators",
      "registries",
      { 200: { description: "The registry", content: json(ref("Registry")) }, 404: errors[404], 409: problem("The name is taken"), 422: errors[422] },
      { parameters: [idParam("registry")], requestBody: { required: true, content: json(ref("RegistryPatch")) } },
    ),
    delete: op("deleteRegistry", "Delete a registry with its charts and versions", "registries", { 204: { description: "Deleted" }, 404: errors[404] }, { parameters: [idParam("registry")] }),
  },
  "/registries/{id}/sync": {
    post: op(
      "syncRegistry",
      "Sync now; a sync already queued or running is reused",
      "registries",
      { 202: { description: "The sync run", content: json(ref("SyncAccepted")) }, 404: errors[404], 503: problem("NATS is unreachable (code unavailable)") },
      { parameters: [idParam("registry")] },
    ),
  },
  "/registries/{id}/syncs": {
    get: op(
      "listSyncRuns",
      "A registry's sync runs, newest first",
      "registries",
      {
        200: {
          description:
            "A page of sync runs: the history the scheduler keeps (every run still queued or running, the registry's newest finished run, and the finished runs requested within CHARTHOUSE_SYNC_RUN_RETENTION_DAYS that are among its newest CHARTHOUSE_SYNC_RUNS_KEPT; older ones are deleted)",
          content: json(ref("SyncRunPage")),
        },
        404: errors[404],
        422: errors[422],
      },
      { parameters: [idParam("registry"), ...pageParams] },
    ),
  },
  "/credentials": {
    get: op("listCredentials", "List credentials (never their secrets)", "credentials", { 200: { description: "A page of credentials", content: json(ref("CredentialPage")) }, 422: errors[422] }, { parameters: pageParams }),
    post: op(
      "createCredential",
      "Store a credential, its secret sealed with AES-256-GCM",
      "credentials",
      {
        201: { description: "The credential", content: json(ref("Credential")), headers: { Location: { schema: str() } } },
        409: problem("The name is taken"),
        422: errors[422],
        503: problem("CHARTHOUSE_SECRET_KEY is not configured (code unavailable)"),
      },
      { requestBody: { required: true, content: json(ref("CredentialCreate")) } },
    ),
  },
  "/credentials/{id}": {
    get: op("getCredential", "Get a credential", "credentials", { 200: { description: "The credential", content: json(ref("Credential")) }, 404: errors[404] }, { parameters: [idParam("credential")] }),
    patch: op(
      "updateCredential",
      "Rename a credential and/or replace its secret fields",
      "credentials",
      { 200: { description: "The credential", content: json(ref("Credential")) }, 404: errors[404], 409: problem("The name is taken"), 422: errors[422], 503: problem("CHARTHOUSE_SECRET_KEY is not configured") },
      { parameters: [idParam("credential")], requestBody: { required: true, content: json(ref("CredentialPatch")) } },
    ),
    delete: op("deleteCredential", "Delete a credential", "credentials", { 204: { description: "Deleted" }, 404: errors[404], 409: problem("A registry uses the credential (code conflict)") }, { parameters: [idParam("credential")] }),
  },
  "/charts": {
    get: op(
      "listCharts",
      "Charts with versions across registries",
      "charts",
      { 200: { description: "A page of charts", content: json(ref("ChartPage")) }, 404: problem("No such registry"), 422: errors[422] },
      {
        parameters: [
          { name: "registry_id", in: "query", required: false, schema: uuid },
          { name: "q", in: "query", required: false, description: "Case-insensitive match on name, description and keywords", schema: str() },
          ...pageParams,
        ],
      },
    ),
  },
  "/registries/{id}/charts": {
    get: op("listRegistryCharts", "A registry's charts with versions", "charts", { 200: { description: "A page of charts", content: json(ref("ChartPage")) }, 404: errors[404], 422: errors[422] }, { parameters: [idParam("registry"), ...pageParams] }),
  },
  "/registries/{id}/charts/{name}": {
    get: op("getChart", "Get a chart", "charts", { 200: { description: "The chart", content: json(ref("Chart")) }, 404: errors[404] }, { parameters: [idParam("registry"), nameParam] }),
  },
  "/registries/{id}/charts/{name}/versions": {
    get: op("listChartVersions", "A chart's versions, newest first by semver, non-semver last", "charts", { 200: { description: "A page of versions", content: json(ref("ChartVersionPage")) }, 404: errors[404], 422: errors[422] }, { parameters: [idParam("registry"), nameParam, ...pageParams] }),
  },
  "/registries/{id}/charts/{name}/versions/{version}": {
    get: op("getChartVersion", "A version with its Chart.yaml facts", "charts", { 200: { description: "The version", content: json(ref("ChartVersionDetail")) }, 404: errors[404] }, { parameters: versionParams }),
  },
  "/registries/{id}/charts/{name}/versions/{version}/readme": {
    get: op("getChartReadme", "The chart's README", "charts", fileResponses("text/markdown", str()), { parameters: versionParams }),
  },
  "/registries/{id}/charts/{name}/versions/{version}/values": {
    get: op("getChartValues", "The chart's values.yaml", "charts", fileResponses("application/yaml", str()), { parameters: versionParams }),
  },
  "/registries/{id}/charts/{name}/versions/{version}/schema": {
    get: op("getChartValuesSchema", "The chart's values.schema.json", "charts", fileResponses("application/schema+json", { type: "object" }), { parameters: versionParams }),
  },
  "/registries/{id}/charts/{name}/versions/{version}/archive": {
    get: op("getChartArchive", "The cached, digest-verified .tgz", "charts", fileResponses("application/gzip", { type: "string", format: "binary" }), { parameters: versionParams }),
  },
  "/events": {
    get: op(
      "streamEvents",
      "Server-Sent Events of the token's organisation, live (needs read)",
      "events",
      {
        200: {
          description:
            "text/event-stream. `event:` registry.sync.started, registry.sync.finished (data: organization_id, registry_id, sync_run_id, outcome, versions_added, versions_removed, error, at), chart.version.discovered, chart.version.ready, chart.version.failed, chart.version.removed (data: organization_id, registry_id, version_id, chart, version, error, at; chart.version.ready also summary, a VersionSummary or null); `data:` one line of JSON; `id:` the event's sequence (several discovered/removed events of one chart share one, sent on the last of them). registry.sync.started is sent at once for a sync a user asked for (create, Sync now), before a sync's first change, or once it has run for a second, and registry.sync.finished follows it; a scheduled or pushed sync that finds nothing new before then sends no event (its run is in GET /registries/{id}/syncs); a failed sync always sends registry.sync.finished. A comment every 15 s keeps the connection alive. When Last-Event-ID cannot be resumed (too old, or unknown) an event stream.reset (data: reason too_old | unknown_event_id | replay_incomplete, last_event_id, detail) says events were missed: reload what you show. A client that reads too slowly is disconnected and resumes with Last-Event-ID.",
          content: { "text/event-stream": { schema: str() } },
        },
        503: problem("Too many event streams on this API process (code unavailable); retry after Retry-After"),
      },
      {
        parameters: [
          { name: "Last-Event-ID", in: "header", required: false, description: "Resume after this event id (replays at most the last 10,000 events)", schema: str() },
        ],
      },
    ),
  },
};

/** The OpenAPI 3.1 document of the REST API, served at GET /api/v1/openapi.json. */
export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "Charthouse REST API",
    version: "1.0.0",
    description:
      "Registries, credentials and the Helm charts Charthouse keeps in sync. Errors are RFC 9457 problem documents. " +
      "Any operation answers 503 (code unavailable) while a dependency it needs cannot serve it: Postgres unreachable or " +
      "refusing connections (too many connections, starting up, shutting down), NATS unreachable; retry after the seconds its Retry-After header gives.",
  },
  servers: [{ url: "/api/v1" }],
  security: [{ bearer: [] }],
  tags: [{ name: "registries" }, { name: "credentials" }, { name: "charts" }, { name: "tokens" }, { name: "organizations" }, { name: "subscriptions" }, { name: "receivers" }, { name: "admin" }, { name: "helm" }],
  paths: {
    "/openapi.json": {
      get: {
        operationId: "getOpenApi",
        summary: "This document",
        tags: ["meta"],
        security: [],
        responses: { 200: { description: "The OpenAPI document", content: json({ type: "object" }) } },
      },
    },
    ...paths,
    ...receiverPaths,
    ...helmPaths,
  },
  components: {
    securitySchemes: {
      bearer: { type: "http", scheme: "bearer", description: "An API token. Scopes are nested (admin ⊇ write ⊇ read): GET needs read, other methods write, /tokens admin" },
      helmBasic: { type: "http", scheme: "basic", description: "The Helm repositories (/helm): any user name, an API token with read as the password (as helm repo add --username --password sends it)" },
    },
    schemas,
  },
} as const;
