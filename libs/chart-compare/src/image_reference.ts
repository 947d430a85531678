/** An image reference split into its repository and what pins a version of it. */
export interface ImageReference {
  /** `nginx`, `docker.io/bitnami/redis`, `registry:5000/team/app`. */
  repository: string;
  /** What follows the repository: `1.27`, `sha256:…`, `1.27@sha256:…`, or "" when unpinned. */
  version: string;
}

/** A reference as Docker reads it: lowercase path, optional `:port` on the host, tag, digest. */
const referencePattern = /^[a-z0-9][a-z0-9._-]*(?::[0-9]+)?(?:\/[a-z0-9._-]+)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[a-z0-9]+(?:[+._-][a-z0-9]+)*:[A-Za-z0-9=_-]+)?$/;

/** True when `text` reads as an image reference (`nginx`, `nginx:1.27`, `ghcr.io/o/app@sha256:…`), not a template or a sentence. */
export function isImageReference(text: string): boolean {
  return text.length <= 512 && referencePattern.test(text);
}

/** Splits `repo[:tag][@digest]`; the tag's colon is the last one after the last slash (a host may have a port). */
export function splitImageReference(reference: string): ImageReference {
  const at = reference.indexOf("@");
  const named = at === -1 ? reference : reference.slice(0, at);
  const digest = at === -1 ? "" : reference.slice(at + 1);
  const colon = named.lastIndexOf(":");
  const hasTag = colon > named.lastIndexOf("/");
  const repository = hasTag ? named.slice(0, colon) : named;
  const tag = hasTag ? named.slice(colon + 1) : "";
  const version = tag !== "" && digest !== "" ? `${tag}@${digest}` : tag + digest;
  return { repository, version };
}
