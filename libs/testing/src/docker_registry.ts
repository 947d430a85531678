import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort } from "./free_port.ts";
import { type BasicCredentials, htpasswdLine } from "./htpasswd.ts";
import { startPeerProcess, waitForPeerReady } from "./peer_process.ts";
import { makeTempDir, removeTempDir } from "./temp_dir.ts";

/** Options of {@link startDockerRegistry}. */
export interface StartDockerRegistryOptions {
  /** Requires basic auth with this user (bcrypt htpasswd file). */
  htpasswd?: BasicCredentials;
  /**
   * Requires bearer tokens from this token server (`auth.token`, e.g. {@link startTokenServer}'s
   * realm, service, issuer and certificate). Takes precedence over `htpasswd`.
   */
  tokenAuth?: DockerRegistryTokenAuth;
  /** Listen on this port (e.g. to start the same registry again with another configuration). */
  port?: number;
  /** Keep the stored repositories in this folder (not removed on stop) instead of a temporary one. */
  storageDir?: string;
  /** YAML appended to config.yml as is: a top-level block such as `notifications:`. */
  extraConfig?: string;
}

/** The `auth.token` settings of docker-registry: where tokens come from and whom to trust. */
export interface DockerRegistryTokenAuth {
  realm: string;
  service: string;
  issuer: string;
  /** PEM certificates that sign tokens (the `x5c` chain must end in one of them). */
  rootCertBundlePath: string;
}

/** A running OCI registry (CNCF distribution 2.8, Debian's `docker-registry`) on 127.0.0.1. */
export interface DockerRegistry {
  /** `127.0.0.1:PORT`, as in `oci://127.0.0.1:PORT/ns`. */
  host: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** Stops the registry and removes its storage. */
  stop(): Promise<void>;
}

/** Starts `docker-registry serve` with filesystem storage in a temporary folder; resolves once /v2/ answers. */
export async function startDockerRegistry(options: StartDockerRegistryOptions = {}): Promise<DockerRegistry> {
  const dir = await makeTempDir("registry");
  try {
    const port = options.port ?? (await freePort());
    const host = `127.0.0.1:${port}`;
    let auth = "";
    if (options.tokenAuth !== undefined) {
      const { realm, service, issuer, rootCertBundlePath } = options.tokenAuth;
      auth =
        `auth:\n  token:\n    realm: ${JSON.stringify(realm)}\n    service: ${JSON.stringify(service)}\n` +
        `    issuer: ${JSON.stringify(issuer)}\n    rootcertbundle: ${JSON.stringify(rootCertBundlePath)}\n`;
    } else if (options.htpasswd !== undefined) {
      const path = join(dir, "htpasswd");
      await writeFile(path, await htpasswdLine(options.htpasswd, { hash: "bcrypt" }));
      auth = `auth:\n  htpasswd:\n    realm: charthouse-test\n    path: ${JSON.stringify(path)}\n`;
    }
    const configPath = join(dir, "config.yml");
    await writeFile(
      configPath,
      `version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${JSON.stringify(options.storageDir ?? join(dir, "storage"))}
  delete:
    enabled: true
http:
  addr: ${host}
${auth}${options.extraConfig ?? ""}`,
    );
    const peer = startPeerProcess("docker-registry", ["serve", configPath], { name: "docker-registry" });
    const url = `http://${host}`;
    await waitForPeerReady(peer, () => answersV2(url), { what: `docker-registry to answer ${url}/v2/` });
    return {
      host,
      url,
      port,
      async stop(): Promise<void> {
        await peer.stop({ signal: "SIGTERM" });
        await removeTempDir(dir);
      },
    };
  } catch (err) {
    await removeTempDir(dir);
    throw err;
  }
}

/** True when GET /v2/ answers 200 or 401 (the registry's two healthy answers). */
async function answersV2(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1_000) });
    await response.body?.cancel();
    return response.status === 200 || response.status === 401;
  } catch {
    return false;
  }
}
