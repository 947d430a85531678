/** The troubleshooting table of api.md as data: every stored or returned error carries one code. */
export const errorCodes = {
  not_found: { title: "Not found", solution: "Verify the URL points to the repository root" },
  unauthorized: { title: "Unauthorized", solution: "Add a registry credential" },
  credential_rejected: { title: "Credential rejected", solution: "Refresh or recreate the credential" },
  timeout: { title: "Timeout", solution: "Check connectivity to the registry (network, firewall)" },
  connection_failed: {
    title: "Connection failed",
    solution: "Check the host name, that the registry is up and reachable from Charthouse, and its TLS certificate",
  },
  invalid_index: {
    title: "Invalid index.yaml",
    solution: "Verify the registry is properly configured",
  },
  not_a_helm_repository: {
    title: "Not a Helm repository",
    solution: "Use the registry's OCI address with oci://",
  },
  invalid_reference: { title: "Invalid reference", solution: "Add oci:// to the URL" },
  manifest_unknown: { title: "Manifest unknown", solution: "Check the repository path" },
  tag_not_found: { title: "Tag not found", solution: "Verify chart versions in the registry" },
  listing_unavailable: {
    title: "Repository listing unavailable",
    solution: "The registry does not list the repositories of a namespace: add each chart repository by its own URL (oci://HOST/PATH/CHART)",
  },
  not_a_chart: { title: "Not a chart", solution: "Skipped: the artifact is not a Helm chart (listed for information)" },
  digest_mismatch: {
    title: "Digest mismatch",
    solution: "The registry serves a different archive than it indexes; it is not stored",
  },
  rate_limited: { title: "Rate limited", solution: "Retried after the time the registry asks for" },
  too_large: { title: "Too large", solution: "Raise the limit named in the message if the content is legitimate" },
  invalid_chart: { title: "Invalid chart", solution: "Fix the chart archive in the registry and publish it again" },
  forbidden_destination: { title: "Forbidden destination", solution: "Use a public registry address" },
  registry_error: { title: "Registry error", solution: "Retried with backoff; see the registry's own message" },
  // Codes of the REST API itself.
  invalid_input: { title: "Invalid input", solution: "Correct the fields listed in errors" },
  conflict: { title: "Conflict", solution: "Use another name, or change the object that is in the way" },
  not_extracted: { title: "Not extracted yet", solution: "Wait until the version is ready, or look at its error" },
  forbidden: { title: "Forbidden", solution: "Use a token with the needed scope" },
  unavailable: { title: "Service unavailable", solution: "Retry shortly; Charthouse's database or NATS is unreachable or refusing connections" },
  internal: { title: "Internal error", solution: "Retry; if it persists, report it with the request id" },
} as const satisfies Record<string, { title: string; solution: string }>;

/** A stable snake_case error code. */
export type ErrorCode = keyof typeof errorCodes;

/** True when `value` is one of the known error codes. */
export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(errorCodes, value);
}
