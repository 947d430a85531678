import { brotliCompressSync, gzipSync } from "node:zlib";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  NotFoundError,
  TimeoutError,
  TooLargeError,
  UnauthorizedError,
  UpstreamError,
  toStoredError,
} from "@charthouse/errors";
import { rejectionOf } from "@charthouse/testing";
import { useLocalTestServers, type LocalTestServer } from "./local_test_server_test_support.ts";
import { closeRegistryAgents } from "./registry_agents.ts";
import { registryRequest } from "./registry_request.ts";
import { registryStream, type RegistryRequestOptions } from "./registry_stream.ts";

const base: RegistryRequestOptions = {
  maxBytes: 1024 * 1024,
  limitSetting: "CHARTHOUSE_MAX_INDEX_BYTES",
  blockPrivateNetworks: false,
  timeoutMs: 2_000,
  bodyTimeoutMs: 2_000,
};

const serve = useLocalTestServers({ afterEach, afterAll }, closeRegistryAgents);


const index = Buffer.from(`apiVersion: v1\nentries:\n${"  nginx: []\n".repeat(2000)}`);

describe("registryRequest() bodies", () => {
  it("asks for gzip/br on indexes and decodes them", async () => {
    const server = await serve((req, res) => {
      const br = req.url === "/br";
      res.writeHead(200, { "content-encoding": br ? "br" : "gzip" });
      res.end(br ? brotliCompressSync(index) : gzipSync(index));
    });
    for (const path of ["/gz", "/br"]) {
      const response = await registryRequest(`${server.origin}${path}`, { ...base, decompress: true });
      expect(Buffer.from(response.body ?? []).equals(index)).toBe(true);
    }
    expect(server.received[0]?.headers["accept-encoding"]).toBe("gzip, br");
  });

  it("stops a gzip bomb at the decompressed size cap, fast", async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-encoding": "gzip" });
      res.end(bomb);
    });
    const started = Date.now();
    const err = await rejectionOf(registryRequest(`${server.origin}/index.yaml`, { ...base, decompress: true }));
    expect(err).toBeInstanceOf(TooLargeError);
    expect(err.code).toBe("too_large");
    expect(err.message).toContain("CHARTHOUSE_MAX_INDEX_BYTES");
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("returns an archive served with Content-Encoding: gzip byte for byte", async () => {
    const archive = gzipSync(Buffer.from("pretend this is a tar"));
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-encoding": "gzip", "content-type": "application/gzip" });
      res.end(archive);
    });
    const response = await registryRequest(`${server.origin}/nginx-1.0.0.tgz`, { ...base, limitSetting: "CHARTHOUSE_MAX_ARCHIVE_BYTES" });
    expect(Buffer.from(response.body ?? []).equals(archive)).toBe(true);
    expect(server.received[0]?.headers["accept-encoding"]).toBe("identity");
  });

  it("refuses a body whose Content-Length is over the cap before reading it", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-length": String(50 * 1024 * 1024) });
      res.write(Buffer.alloc(1024));
    });
    const err = await rejectionOf(registryRequest(`${server.origin}/big.tgz`, { ...base, maxBytes: 1024 * 1024 }));
    expect(err).toBeInstanceOf(TooLargeError);
    expect(err.message).toMatch(/52428800 bytes/);
  });

  it("aborts a stream as soon as it passes the cap", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 1);
      const timer = setInterval(() => res.write(chunk), 1);
      res.on("close", () => clearInterval(timer));
    });
    const response = await registryStream(`${server.origin}/endless.tgz`, { ...base, maxBytes: 256 * 1024 });
    let seen = 0;
    const err = await rejectionOf(
      (async () => {
        for await (const chunk of response.body) seen += chunk.byteLength;
      })(),
    );
    expect(err).toBeInstanceOf(TooLargeError);
    expect(seen).toBeLessThanOrEqual(256 * 1024);
  });

  it("returns no body for HEAD and 304", async () => {
    const server = await serve((req, res) => {
      res.writeHead(req.method === "HEAD" ? 200 : 304, { etag: '"v1"' });
      res.end();
    });
    const head = await registryRequest(`${server.origin}/x.tgz`, { ...base, method: "HEAD" });
    expect(head).toMatchObject({ status: 200, body: null });
    const notModified = await registryRequest(`${server.origin}/index.yaml`, {
      ...base,
      decompress: true,
      headers: { "If-None-Match": '"v1"' },
    });
    expect(notModified).toMatchObject({ status: 304, body: null, headers: { etag: '"v1"' } });
    expect(server.received[1]?.headers["if-none-match"]).toBe('"v1"');
  });
});

describe("registryRequest() beforeBody", () => {
  const large = Buffer.alloc(4 * 1024 * 1024, "a");

  it("reads the body only once beforeBody has settled, however much longer than the idle timeout it waits", async () => {
    const server = await serve((req, res) => {
      res.writeHead(req.url === "/same" ? 304 : 200);
      res.end(req.url === "/same" ? undefined : large);
    });
    const calls: string[] = [];
    const beforeBody = async (): Promise<void> => {
      calls.push("before");
      await new Promise((resolve) => setTimeout(resolve, 600));
    };
    const response = await registryRequest(`${server.origin}/index.yaml`, { ...base, maxBytes: 8 * 1024 * 1024, bodyTimeoutMs: 200, beforeBody });
    expect(Buffer.from(response.body ?? []).equals(large)).toBe(true);
    expect(calls).toEqual(["before"]);

    const notModified = await registryRequest(`${server.origin}/same`, { ...base, beforeBody });
    expect(notModified).toMatchObject({ status: 304, body: null });
    expect(calls).toEqual(["before"]);
  });

  it("cancels the request and passes the error on when beforeBody throws", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200);
      res.end(large);
    });
    const refused = new Error("no room");
    const request = registryRequest(`${server.origin}/index.yaml`, { ...base, maxBytes: 8 * 1024 * 1024, beforeBody: () => Promise.reject(refused) });
    await expect(request).rejects.toBe(refused);
  });
});

describe("registryRequest() timeouts", () => {
  it("maps a server that never answers to timeout within the limit", async () => {
    const server = await serve(() => {});
    const started = Date.now();
    const err = await rejectionOf(registryRequest(`${server.origin}/index.yaml`, { ...base, timeoutMs: 300 }));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.code).toBe("timeout");
    expect(err.message).toContain(`${server.origin}/index.yaml`);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("maps a body that stalls halfway to timeout within the idle limit", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-length": "1000" });
      res.write(Buffer.alloc(100));
    });
    const started = Date.now();
    const err = await rejectionOf(registryRequest(`${server.origin}/x.tgz`, { ...base, bodyTimeoutMs: 300 }));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toMatch(/stalled/);
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});

describe("registryRequest() status mapping", () => {
  const statusServer = (): Promise<LocalTestServer> =>
    serve((req, res) => {
      const status = Number(req.url?.slice(1));
      const headers: Record<string, string> = status === 429 ? { "retry-after": "7" } : {};
      res.writeHead(status, headers);
      res.end(status === 500 ? `database on fire ${"x".repeat(400)}` : "");
    });

  it("maps 401 and 403 by whether a credential was sent", async () => {
    const server = await statusServer();
    for (const status of [401, 403]) {
      const anonymous = await rejectionOf(registryRequest(`${server.origin}/${status}`, base));
      expect(anonymous).toBeInstanceOf(UnauthorizedError);
      expect(anonymous.code).toBe("unauthorized");
      const withCredential = await rejectionOf(registryRequest(`${server.origin}/${status}`, { ...base, auth: "Bearer t0ken" }));
      expect(withCredential.code).toBe("credential_rejected");
      expect(withCredential.message).not.toContain("t0ken");
    }
  });

  it("maps 404 and 410 to not_found, final", async () => {
    const server = await statusServer();
    for (const status of [404, 410]) {
      const err = await rejectionOf(registryRequest(`${server.origin}/${status}`, base));
      expect(err).toBeInstanceOf(NotFoundError);
      expect(err).toMatchObject({ code: "not_found", transient: false });
    }
  });

  it("maps 429 to rate_limited with the Retry-After wait", async () => {
    const server = await statusServer();
    const err = await rejectionOf(registryRequest(`${server.origin}/429`, base));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ code: "rate_limited", transient: true, retryAfterMs: 7_000, status: 429 });
  });

  it("maps 5xx to a transient registry_error carrying the start of the registry's message", async () => {
    const server = await statusServer();
    const err = await rejectionOf(registryRequest(`${server.origin}/500`, base));
    expect(err).toMatchObject({ code: "registry_error", transient: true, status: 500 });
    const cause = toStoredError(err).cause ?? "";
    expect(cause).toContain("database on fire");
    expect(cause.length).toBeLessThan(240);
  });

  it("maps other 4xx to a final registry_error", async () => {
    const server = await statusServer();
    const err = await rejectionOf(registryRequest(`${server.origin}/400`, base));
    expect(err).toMatchObject({ code: "registry_error", transient: false, status: 400 });
  });

  it("maps a refused connection to connection_failed naming it", async () => {
    const server = await serve(() => {});
    const url = `${server.origin}/index.yaml`;
    await server.close();
    const err = await rejectionOf(registryRequest(url, base));
    expect(err.code).toBe("connection_failed");
    expect(err.message).toMatch(/connection refused/);
    expect(err.solution).toMatch(/running/);
  });

  it("maps a connection reset to connection_failed naming it", async () => {
    const server = await serve((req) => req.socket.destroy());
    const err = await rejectionOf(registryRequest(`${server.origin}/index.yaml`, base));
    expect(err.code).toBe("connection_failed");
    expect(err.message).toMatch(/reset/);
  });

  it("rethrows the caller's abort reason unchanged", async () => {
    const server = await serve(() => {});
    const reason = new Error("shutting down");
    const controller = new AbortController();
    setTimeout(() => controller.abort(reason), 50);
    await expect(registryRequest(server.origin, { ...base, signal: controller.signal })).rejects.toBe(reason);
  });
});
