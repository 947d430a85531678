import { mkdir, readFile, truncate, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { freePort } from "./free_port.ts";
import { type BasicCredentials, htpasswdLine } from "./htpasswd.ts";
import { type AccessLogLine, accessLogFormat, parseAccessLog } from "./nginx_access_log.ts";
import { startPeerProcess, waitForPeerReady } from "./peer_process.ts";
import { tcpAccepts } from "./tcp_probe.ts";
import { makeTempDir, removeTempDir } from "./temp_dir.ts";

/** Options of {@link startNginx}. */
export interface StartNginxOptions {
  /** The folder served at `/`. */
  root: string;
  /**
   * Whether responses carry `ETag` and `Last-Modified` and conditional requests get 304 (default
   * true). False acts like ChartMuseum or Nexus: no validators, always 200.
   */
  validators?: boolean;
  /** gzip index.yaml and other text when the client accepts it. */
  gzip?: boolean;
  /** Puts basic auth on everything. */
  basicAuth?: BasicCredentials;
  /** The port on 127.0.0.1 (default: a free one). */
  port?: number;
  /**
   * nginx directives put into the public `server` block. With `validators: false` that block
   * already holds `location /`.
   */
  extraConfig?: string;
}

/** A running, unprivileged nginx serving a folder on 127.0.0.1. */
export interface NginxServer {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  url: string;
  port: number;
  /** The requests served so far, oldest first. */
  accessLog(): Promise<AccessLogLine[]>;
  /** Forgets the requests served so far. */
  clearAccessLog(): Promise<void>;
  /** Stops nginx and removes its temporary folder. */
  stop(): Promise<void>;
}

/** Starts nginx (Debian's) as a static HTTP chart repository; resolves once it accepts connections. */
export async function startNginx(options: StartNginxOptions): Promise<NginxServer> {
  const prefix = await makeTempDir("nginx");
  try {
    const port = options.port ?? (await freePort());
    await mkdir(join(prefix, "temp"));
    if (options.basicAuth !== undefined) {
      await writeFile(join(prefix, "htpasswd"), await htpasswdLine(options.basicAuth, { hash: "apr1" }));
    }
    const configPath = join(prefix, "nginx.conf");
    await writeFile(configPath, nginxConfig({ ...options, root: resolve(options.root), port, prefix }));
    const peer = startPeerProcess(
      "nginx",
      ["-c", configPath, "-p", prefix, "-e", join(prefix, "error.log"), "-g", "daemon off;"],
      { name: "nginx" },
    );
    await waitForPeerReady(peer, () => tcpAccepts(port), { what: `nginx to accept connections on port ${port}` });
    const accessLogPath = join(prefix, "access.log");
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      async accessLog(): Promise<AccessLogLine[]> {
        return parseAccessLog(await readFile(accessLogPath, "utf8").catch(() => ""));
      },
      async clearAccessLog(): Promise<void> {
        await truncate(accessLogPath, 0).catch(() => undefined);
      },
      async stop(): Promise<void> {
        await peer.stop({ signal: "SIGTERM" });
        await removeTempDir(prefix);
      },
    };
  } catch (err) {
    await removeTempDir(prefix);
    throw err;
  }
}

/** Writes the nginx.conf of {@link startNginx}: pid, logs and temp paths all under `prefix`. */
function nginxConfig(options: StartNginxOptions & { port: number; prefix: string }): string {
  const { prefix, root } = options;
  const validators = options.validators ?? true;
  const filesSocket = join(prefix, "files.sock");
  const temp = join(prefix, "temp");
  // As root, workers would drop to "nobody" and could not read a 0700 temporary root folder.
  const user = process.getuid?.() === 0 ? "user root root;" : "";
  const auth =
    options.basicAuth === undefined
      ? ""
      : `auth_basic "charthouse test repository"; auth_basic_user_file ${join(prefix, "htpasswd")};`;
  const gzip =
    options.gzip === true
      ? "gzip on; gzip_min_length 0; gzip_vary on; gzip_proxied any; " +
        "gzip_types application/x-yaml text/yaml application/json text/plain;"
      : "gzip off;";
  // Stock nginx cannot drop the Last-Modified of a static file, so without validators the public
  // server proxies to an inner one and hides the header there.
  const content = validators
    ? `root "${root}";`
    : `etag off; if_modified_since off;
    location / {
      proxy_pass http://unix:${filesSocket}:;
      proxy_hide_header ETag;
      proxy_hide_header Last-Modified;
    }`;
  const innerServer = validators
    ? ""
    : `server {
    listen unix:${filesSocket};
    access_log off;
    root "${root}";
    etag off;
    if_modified_since off;
  }`;
  return `${user}
worker_processes 1;
pid ${join(prefix, "nginx.pid")};
error_log ${join(prefix, "error.log")} warn;
events { worker_connections 256; }
http {
  types {
    application/x-yaml yaml yml;
    application/gzip tgz gz;
    application/json json;
    text/plain txt md;
    text/html html;
  }
  default_type application/octet-stream;
  client_body_temp_path ${temp}/client_body;
  proxy_temp_path ${temp}/proxy;
  fastcgi_temp_path ${temp}/fastcgi;
  uwsgi_temp_path ${temp}/uwsgi;
  scgi_temp_path ${temp}/scgi;
  log_format charthouse escape=json ${accessLogFormat};
  access_log ${join(prefix, "access.log")} charthouse;
  sendfile on;
  server_tokens off;
  keepalive_timeout 30s;
  server {
    listen 127.0.0.1:${options.port};
    server_name localhost;
    ${auth}
    ${gzip}
    ${content}
    ${options.extraConfig ?? ""}
  }
  ${innerServer}
}
`;
}
