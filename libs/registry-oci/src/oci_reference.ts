import { isIP } from "node:net";
import { InputError } from "@charthouse/errors";

/** Where an `oci://` URL points: the registry's API base and the path under it. */
export interface OciReference {
  /** The host as in the URL, with its port: `127.0.0.1:5000`, `ghcr.io`. */
  host: string;
  /** The registry API's base: `https://ghcr.io`, `http://127.0.0.1:5000`. */
  apiBase: string;
  /** The repository or namespace path: `org/charts`, or "" for the registry root. */
  path: string;
  /** True for Docker Hub (`docker.io`, `registry-1.docker.io`, `index.docker.io`). */
  dockerHub: boolean;
}

/** Options of {@link parseOciReference}. */
export interface ParseOciReferenceOptions {
  /**
   * Hosts (`host` or `host:port`) spoken to over plain HTTP, like Docker's insecure registries
   * (CHARTHOUSE_OCI_PLAIN_HTTP_HOSTS). Loopback hosts always are.
   */
  plainHttpHosts?: readonly string[];
}

const dockerHubHosts = new Set(["docker.io", "registry-1.docker.io", "index.docker.io"]);
const dockerHubApiBase = "https://registry-1.docker.io";
// The distribution spec's path component: lowercase alphanumerics joined by ".", "_", "__" or dashes.
const pathComponent = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const hostName = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** The longest repository name distribution accepts. */
const maxNameLength = 255;

/** Parses an `oci://HOST[:PORT]/PATH` registry URL; throws InputError `invalid_reference` saying what is wrong. */
export function parseOciReference(url: string, options: ParseOciReferenceOptions = {}): OciReference {
  const input = url.trim();
  const invalid = (why: string): InputError =>
    new InputError(`"${input.slice(0, 200)}" is not a valid OCI reference: ${why}`, { code: "invalid_reference" });
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(input);
  if (scheme === null || scheme[1]?.toLowerCase() !== "oci") {
    throw new InputError(`"${input.slice(0, 200)}" is not an OCI reference: it must start with oci://`, {
      code: "invalid_reference",
      solution: "Add oci:// to the URL",
    });
  }
  const rest = input.slice(scheme[0].length);
  if (/[?#]/.test(rest)) throw invalid("it has a query or fragment");
  if (/\s/.test(rest)) throw invalid("it contains white space");
  const slash = rest.indexOf("/");
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const rawPath = slash < 0 ? "" : rest.slice(slash + 1).replace(/\/+$/, "");
  if (authority.includes("@")) throw invalid("credentials do not belong in the URL; add a registry credential instead");

  const host = parseHost(authority, invalid);
  if (rawPath.includes("@")) throw invalid("it names a digest; point it at the repository, without @sha256:...");
  const components = rawPath === "" ? [] : rawPath.split("/");
  for (const [index, component] of components.entries()) {
    if (component.includes(":") && index === components.length - 1) {
      throw invalid(`it names a tag ("${component.slice(component.indexOf(":") + 1)}"); point it at the repository, without :TAG`);
    }
    if (!pathComponent.test(component)) {
      throw invalid(
        component === ""
          ? "its path has an empty component (//)"
          : `path component "${component.slice(0, 100)}" is not lowercase letters, digits and single separators (. _ __ -)`,
      );
    }
  }
  const path = components.join("/");
  if (path.length > maxNameLength) throw invalid(`its path is longer than ${maxNameLength} characters`);

  const dockerHub = dockerHubHosts.has(host.hostname) && host.port === "";
  const plain = isLoopback(host.hostname) || (options.plainHttpHosts ?? []).some((entry) => matchesHost(entry, host.host, host.hostname));
  const apiBase = dockerHub ? dockerHubApiBase : `${plain ? "http" : "https"}://${host.host}`;
  return { host: host.host, apiBase, path, dockerHub };
}

interface ParsedHost {
  /** As it goes into a URL: `[::1]:5000`, `ghcr.io`. */
  host: string;
  /** Without brackets or port, lowercased. */
  hostname: string;
  port: string;
}

function parseHost(authority: string, invalid: (why: string) => InputError): ParsedHost {
  if (authority === "") throw invalid("it has no host");
  let hostname: string;
  let port = "";
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    if (close < 0) throw invalid("its IPv6 address has no closing ]");
    hostname = authority.slice(1, close).toLowerCase();
    const after = authority.slice(close + 1);
    if (after !== "") {
      if (!after.startsWith(":")) throw invalid("unexpected text after the IPv6 address");
      port = after.slice(1);
    }
    if (isIP(hostname) !== 6) throw invalid(`"${hostname}" is not an IPv6 address`);
  } else {
    const colon = authority.lastIndexOf(":");
    hostname = (colon < 0 ? authority : authority.slice(0, colon)).toLowerCase();
    if (colon >= 0) port = authority.slice(colon + 1);
    if (isIP(hostname) !== 4 && !hostName.test(hostname)) throw invalid(`"${hostname.slice(0, 100)}" is not a valid host name`);
  }
  if (port !== "" && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    throw invalid(`"${port.slice(0, 20)}" is not a valid port`);
  }
  const bracketed = hostname.includes(":") ? `[${hostname}]` : hostname;
  return { host: port === "" ? bracketed : `${bracketed}:${port}`, hostname, port };
}

function isLoopback(hostname: string): boolean {
  if (hostname === "localhost" || hostname.endsWith(".localhost") || hostname === "::1") return true;
  return isIP(hostname) === 4 && hostname.startsWith("127.");
}

function matchesHost(entry: string, host: string, hostname: string): boolean {
  const wanted = entry.trim().toLowerCase();
  return wanted !== "" && (wanted === host || wanted === hostname);
}
