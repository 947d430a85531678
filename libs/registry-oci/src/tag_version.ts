// Semantic Versioning 2.0.0 exactly, as Masterminds' StrictNewVersion (what helm uses for tags) accepts.
const strictSemver =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/**
 * The chart version an OCI tag stands for, or null for tags that are not chart versions
 * (`latest`, cosign's `sha256-….sig`). Helm pushes `1.0.0+build` as tag `1.0.0_build`
 * because tags cannot hold `+`, and reads tags back as strict semver after `_` -> `+`.
 */
export function tagToVersion(tag: string): string | null {
  const version = tag.replaceAll("_", "+");
  return strictSemver.test(version) ? version : null;
}

/** The tag helm pushes a chart version as (`1.0.0+build` -> `1.0.0_build`). */
export function versionToTag(version: string): string {
  return version.replaceAll("+", "_");
}
