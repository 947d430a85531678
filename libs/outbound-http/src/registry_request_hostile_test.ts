// Protocol abuses a hostile registry can commit, each against a real server on 127.0.0.1: every
// one must end within its limit with a code from the error table, never hang or crash.
import { createServer as createTcpServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { deflateSync, gzipSync } from "node:zlib";
import type { ServerResponse } from "node:http";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { errorCodes, toStoredError } from "@charthouse/errors";
import { rejectionOf } from "@charthouse/testing";
import { useLocalTestServers } from "./local_test_server_test_support.ts";
import { closeRegistryAgents } from "./registry_agents.ts";
import { registryRequest } from "./registry_request.ts";
import type { RegistryRequestOptions } from "./registry_stream.ts";

const base: RegistryRequestOptions = {
  maxBytes: 1024 * 1024,
  limitSetting: "CHARTHOUSE_MAX_INDEX_BYTES",
  blockPrivateNetworks: false,
  timeoutMs: 1_500,
  bodyTimeoutMs: 1_000,
  deadlineMs: 2_000,
  decompress: true,
};

const serve = useLocalTestServers({ afterEach, afterAll }, closeRegistryAgents);
const rawServers: { close(): void }[] = [];
afterEach(() => {
  for (const server of rawServers.splice(0)) server.close();
});

/** A TCP server that answers every connection with `onSocket` (raw bytes, resets). */
async function rawServer(onSocket: (socket: Socket) => void): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.once("data", () => onSocket(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  rawServers.push({
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.yaml`;
}

/** Writes `text` one byte every `everyMs` until the client leaves. */
function trickle(res: ServerResponse, text: string, everyMs: number): void {
  let at = 0;
  const timer = setInterval(() => {
    if (res.destroyed || at >= text.length) {
      clearInterval(timer);
      if (!res.destroyed) res.end();
      return;
    }
    res.write(text[at++]);
  }, everyMs);
  res.on("close", () => clearInterval(timer));
}

interface HostileCase {
  name: string;
  /** Starts the hostile peer; returns the URL to request. */
  peer: () => Promise<string>;
  code: keyof typeof errorCodes;
  message?: RegExp;
  options?: Partial<RegistryRequestOptions>;
  /** Most time the request may take, in ms. */
  withinMs: number;
}

const endlessYaml = `apiVersion: v1\nentries:\n${"# padding\n".repeat(100_000)}`;

const cases: HostileCase[] = [
  {
    name: "a body trickled at one byte every 100 ms (never idle long enough for the body timeout)",
    peer: async () =>
      (
        await serve((_req, res) => {
          res.writeHead(200, { "content-type": "application/yaml" });
          trickle(res, endlessYaml, 100);
        })
      ).origin + "/index.yaml",
    code: "timeout",
    message: /did not finish within 2000 ms \(CHARTHOUSE_READ_DEADLINE_MS\)/,
    withinMs: 3_500,
  },
  {
    name: "an archive trickled with decompression off (the downloader's way of reading)",
    peer: async () =>
      (
        await serve((_req, res) => {
          res.writeHead(200, { "content-type": "application/gzip", "content-length": "5000" });
          trickle(res, "x".repeat(5000), 50);
        })
      ).origin + "/app-1.0.0.tgz",
    code: "timeout",
    options: { decompress: false, limitSetting: "CHARTHOUSE_MAX_ARCHIVE_BYTES" },
    withinMs: 3_500,
  },
  {
    name: "headers trickled one line at a time, never finishing",
    peer: () =>
      rawServer((socket) => {
        socket.write("HTTP/1.1 200 OK\r\n");
        const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write("X-Slow: 1\r\n")), 100);
        socket.on("close", () => clearInterval(timer));
      }),
    code: "timeout",
    withinMs: 3_000,
  },
  {
    name: "a redirect chain that trickles each hop just under the header timeout",
    peer: async () => {
      const server = await serve((req, res) => {
        const hop = Number(req.url?.split("/")[1] ?? "0");
        setTimeout(() => {
          res.writeHead(302, { location: `/${hop + 1}` });
          res.end();
        }, 600);
      });
      return `${server.origin}/0`;
    },
    code: "timeout",
    options: { maxRedirects: 50 },
    withinMs: 3_500,
  },
  {
    name: "a Content-Length larger than the body, then the connection closed",
    peer: () =>
      rawServer((socket) => {
        socket.end("HTTP/1.1 200 OK\r\nContent-Type: application/yaml\r\nContent-Length: 100000\r\n\r\napiVersion: v1\nentries:\n");
      }),
    code: "connection_failed",
    withinMs: 2_000,
  },
  {
    name: "a Content-Length over the cap (refused before reading)",
    peer: () =>
      rawServer((socket) => {
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\nabc");
      }),
    code: "too_large",
    message: /CHARTHOUSE_MAX_INDEX_BYTES/,
    withinMs: 2_000,
  },
  {
    name: "a body that lies under the cap in Content-Length but chunked past it",
    peer: async () =>
      (
        await serve((_req, res) => {
          res.writeHead(200, { "content-type": "application/yaml" });
          res.end(Buffer.alloc(2 * 1024 * 1024, 0x23));
        })
      ).origin + "/index.yaml",
    code: "too_large",
    withinMs: 2_000,
  },
  {
    name: "a connection reset in the middle of the body",
    peer: () =>
      rawServer((socket) => {
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\napiVersion: v1\n", () => socket.resetAndDestroy());
      }),
    code: "connection_failed",
    message: /reset|closed|failed/,
    withinMs: 2_000,
  },
  {
    name: "a connection closed before any response",
    peer: () => rawServer((socket) => socket.destroy()),
    code: "connection_failed",
    withinMs: 2_000,
  },
  {
    name: "an answer that is not HTTP at all (an SSH banner)",
    peer: () => rawServer((socket) => socket.end("SSH-2.0-OpenSSH_9.2\r\n\r\n")),
    code: "connection_failed",
    withinMs: 2_000,
  },
  {
    name: "response headers of 256 KiB",
    peer: () =>
      rawServer((socket) => {
        socket.end(`HTTP/1.1 200 OK\r\nX-Huge: ${"a".repeat(256 * 1024)}\r\nContent-Length: 2\r\n\r\nok`);
      }),
    code: "connection_failed",
    withinMs: 2_000,
  },
  {
    name: "a redirect loop to itself",
    peer: async () => {
      const server = await serve((_req, res) => {
        res.writeHead(302, { location: "/index.yaml" });
        res.end();
      });
      return `${server.origin}/index.yaml`;
    },
    code: "registry_error",
    message: /redirected more than 5 times/,
    withinMs: 2_000,
  },
  {
    name: "a redirect to a file:// URL",
    peer: async () => {
      const server = await serve((_req, res) => {
        res.writeHead(301, { location: "file:///etc/passwd" });
        res.end();
      });
      return `${server.origin}/index.yaml`;
    },
    code: "forbidden_destination",
    withinMs: 2_000,
  },
  {
    name: "a redirect to the cloud metadata address",
    peer: async () => {
      const server = await serve((_req, res) => {
        res.writeHead(307, { location: "http://169.254.169.254/latest/meta-data/" });
        res.end();
      });
      return `${server.origin}/index.yaml`;
    },
    code: "forbidden_destination",
    withinMs: 2_000,
  },
  {
    name: "a gzip bomb on index.yaml (64 MiB of zeros in 64 KiB)",
    peer: async () => {
      const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
      return (
        await serve((_req, res) => {
          res.writeHead(200, { "content-encoding": "gzip" });
          res.end(bomb);
        })
      ).origin + "/index.yaml";
    },
    code: "too_large",
    message: /once decompressed/,
    withinMs: 2_000,
  },
  {
    name: "a deflate bomb on index.yaml",
    peer: async () => {
      const bomb = deflateSync(Buffer.alloc(32 * 1024 * 1024));
      return (
        await serve((_req, res) => {
          res.writeHead(200, { "content-encoding": "deflate" });
          res.end(bomb);
        })
      ).origin + "/index.yaml";
    },
    code: "too_large",
    withinMs: 2_000,
  },
  {
    name: "an unsupported Content-Encoding (zstd) although only gzip and br were asked for",
    peer: async () =>
      (
        await serve((_req, res) => {
          res.writeHead(200, { "content-encoding": "zstd" });
          res.end("(\u00b5/\u00fd not really zstd");
        })
      ).origin + "/index.yaml",
    code: "registry_error",
    message: /unsupported Content-Encoding "zstd"/,
    withinMs: 2_000,
  },
  {
    name: "Content-Encoding: gzip on a body that is plain YAML",
    peer: async () =>
      (
        await serve((_req, res) => {
          res.writeHead(200, { "content-encoding": "gzip" });
          res.end("apiVersion: v1\nentries: {}\n");
        })
      ).origin + "/index.yaml",
    code: "registry_error",
    message: /Cannot decompress/,
    withinMs: 2_000,
  },
  {
    name: "a gzip body cut off halfway",
    peer: async () => {
      const whole = gzipSync(Buffer.from(endlessYaml));
      return (
        await serve((_req, res) => {
          res.writeHead(200, { "content-encoding": "gzip" });
          res.end(whole.subarray(0, Math.floor(whole.length / 2)));
        })
      ).origin + "/index.yaml";
    },
    code: "registry_error",
    message: /Cannot decompress/,
    withinMs: 2_000,
  },
  {
    name: "an error page trickled forever after a 503 status",
    peer: async () =>
      (
        await serve((_req, res) => {
          res.writeHead(503, { "content-type": "text/html" });
          trickle(res, "<html>".repeat(10_000), 100);
        })
      ).origin + "/index.yaml",
    code: "registry_error",
    withinMs: 3_000,
  },
];

describe("registryRequest() against hostile registries", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, hostile) => {
    const url = await hostile.peer();
    const started = Date.now();
    const err = await rejectionOf(registryRequest(url, { ...base, ...hostile.options }));
    const elapsed = Date.now() - started;
    const stored = toStoredError(err);
    expect({ code: stored.code, message: stored.message }).toMatchObject({ code: hostile.code, message: hostile.message ?? expect.any(String) });
    expect(elapsed).toBeLessThan(hostile.withinMs);
  });

  it("still reads a slow but honest body that finishes before the deadline", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/yaml" });
      trickle(res, "apiVersion: v1\n", 20);
    });
    const response = await registryRequest(`${server.origin}/index.yaml`, base);
    expect(Buffer.from(response.body ?? []).toString()).toBe("apiVersion: v1\n");
  });
});
