import { InputError } from "@charthouse/errors";
import type { RegistryKind } from "@charthouse/db";

/** A registry URL after normalisation, with the kind its scheme implies. */
export interface NormalizedRegistryUrl {
  url: string;
  kind: RegistryKind;
}

const defaultPorts: Record<string, string> = { "http:": "80", "https:": "443", "oci:": "443" };

/**
 * Normalises a registry URL: lower-case scheme and host, default port dropped, trailing slashes
 * and fragment dropped. Only http, https and oci; no user name or password (secrets belong in a
 * credential). Checks `kind` against the scheme: a contradiction is `invalid_reference`.
 */
export function normalizeRegistryUrl(raw: string, kind?: RegistryKind): NormalizedRegistryUrl {
  const trimmed = raw.trim();
  const shown = withoutUserInfo(trimmed);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    if (kind === "oci_registry" || /^[a-z0-9.-]+(:\d+)?\/\S*$/i.test(trimmed)) throw missingOciScheme(shown);
    throw urlProblem(`"${shown}" is not a valid absolute URL`, "must be an absolute URL (https://..., http://... or oci://...)");
  }
  const scheme = url.protocol.toLowerCase();
  if (!(scheme in defaultPorts)) {
    throw urlProblem(`The URL scheme ${scheme} is not supported`, "must use http://, https:// or oci://");
  }
  if (url.username !== "" || url.password !== "") {
    throw urlProblem(
      "The URL contains a user name or password; put secrets in a credential and set credential_id",
      "must not contain a user name or password (use a credential)",
    );
  }
  const host = url.hostname.toLowerCase();
  if (host === "") throw urlProblem(`"${shown}" has no host`, "must name a host");
  const detected: RegistryKind = scheme === "oci:" ? "oci_registry" : "http_registry";
  if (kind === "oci_registry" && detected !== "oci_registry") throw missingOciScheme(shown);
  if (kind === "http_registry" && detected !== "http_registry") {
    throw new InputError(`kind http_registry contradicts the oci:// URL "${shown}"`, {
      code: "invalid_reference",
      solution: "Use kind oci_registry (or omit kind) for oci:// URLs, or give the http(s):// address of the chart repository",
      fields: [{ field: "kind", message: "contradicts the URL's scheme" }],
    });
  }
  const port = url.port === "" || url.port === defaultPorts[scheme] ? "" : `:${url.port}`;
  const path = url.pathname.replace(/\/+$/, "");
  return { url: `${scheme}//${host}${port}${path}${url.search}`, kind: detected };
}

function missingOciScheme(raw: string): InputError {
  return new InputError(`"${raw}" is not an OCI reference: OCI registry URLs start with oci://`, {
    code: "invalid_reference",
    solution: "Add oci:// to the URL",
    fields: [{ field: "url", message: "must start with oci:// for an OCI registry" }],
  });
}

function urlProblem(message: string, fieldMessage: string): InputError {
  return new InputError(message, { fields: [{ field: "url", message: fieldMessage }] });
}

function withoutUserInfo(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@]*@/i, "$1***@");
}
