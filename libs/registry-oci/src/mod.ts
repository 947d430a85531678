/**
 * The OCI distribution client for Helm charts: `oci://` references, the registry auth flows
 * (anonymous, Basic, Bearer tokens and the OAuth2 form), tags, manifests, config blobs, chart
 * layers and repository listing (catalog, Docker Hub, Harbor), with per-host rate limits.
 */
export { parseOciReference, type OciReference, type ParseOciReferenceOptions } from "./oci_reference.ts";
export { tagToVersion, versionToTag } from "./tag_version.ts";
export { createOciClient, type OciClient } from "./oci_client.ts";
export type { OciClientLimits, OciClientOptions } from "./oci_client_options.ts";
export type { OciManifestOptions, OciSession } from "./oci_session.ts";
export type { OciListingSource } from "./repository_listing.ts";
export type { OciChartManifest } from "./oci_manifest.ts";
export { InsufficientScopeError } from "./registry_auth.ts";
export { manifestAccept, ociMediaTypes } from "./media_types.ts";
export { parseWwwAuthenticate, type AuthChallenge } from "./www_authenticate.ts";
export { nextLink } from "./link_header.ts";
