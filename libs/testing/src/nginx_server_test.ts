import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./free_port.ts";
import { type NginxServer, startNginx } from "./nginx_server.ts";
import { makeTempDir, removeTempDir } from "./temp_dir.ts";
import { waitFor } from "./wait_for.ts";

const indexYaml = "apiVersion: v1\nentries: {}\n".repeat(50);

let root: string;
beforeAll(async () => {
  root = await makeTempDir("nginx-test-root");
  await mkdir(join(root, "charts"));
  await writeFile(join(root, "index.yaml"), indexYaml);
  await writeFile(join(root, "charts", "a-1.0.0.tgz"), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
});
afterAll(async () => {
  await removeTempDir(root);
});

async function withNginx(
  options: Omit<Parameters<typeof startNginx>[0], "root">,
  body: (server: NginxServer) => Promise<void>,
): Promise<void> {
  const server = await startNginx({ root, ...options });
  try {
    await body(server);
  } finally {
    await server.stop();
  }
}

describe("startNginx()", () => {
  it("serves a file with ETag and Last-Modified and answers If-None-Match with 304", async () => {
    await withNginx({}, async (server) => {
      const first = await fetch(`${server.url}/index.yaml`);
      expect(first.status).toBe(200);
      expect(await first.text()).toBe(indexYaml);
      expect(first.headers.get("content-type")).toBe("application/x-yaml");
      const etag = first.headers.get("etag");
      expect(etag).toMatch(/^"/);
      expect(first.headers.get("last-modified")).not.toBeNull();

      const second = await fetch(`${server.url}/index.yaml`, { headers: { "if-none-match": etag ?? "" } });
      expect(second.status).toBe(304);

      const log = await waitFor(async () => {
        const lines = await server.accessLog();
        return lines.length === 2 ? lines : undefined;
      }, { what: "two access log lines" });
      expect(log.map((line) => [line.method, line.path, line.status, line.ifNoneMatch])).toEqual([
        ["GET", "/index.yaml", 200, false],
        ["GET", "/index.yaml", 304, true],
      ]);
      expect(log[0]?.bytes).toBe(indexYaml.length);

      await server.clearAccessLog();
      expect(await server.accessLog()).toEqual([]);
    });
  });

  it("with validators: false sends neither ETag nor Last-Modified and always answers 200", async () => {
    await withNginx({ validators: false }, async (server) => {
      const first = await fetch(`${server.url}/charts/a-1.0.0.tgz`);
      expect(first.status).toBe(200);
      expect(Buffer.from(await first.arrayBuffer())).toEqual(Buffer.from([0x1f, 0x8b, 1, 2, 3]));
      expect(first.headers.get("etag")).toBeNull();
      expect(first.headers.get("last-modified")).toBeNull();

      const conditional = await fetch(`${server.url}/index.yaml`, {
        headers: { "if-none-match": "*", "if-modified-since": new Date(Date.now() + 3_600_000).toUTCString() },
      });
      expect(conditional.status).toBe(200);
      expect(conditional.headers.get("etag")).toBeNull();
      expect(conditional.headers.get("last-modified")).toBeNull();
      expect(await conditional.text()).toBe(indexYaml);

      expect((await fetch(`${server.url}/missing.yaml`)).status).toBe(404);
    });
  });

  it("with basicAuth answers 401 without credentials and 200 with them", async () => {
    const credentials = { username: "reader", password: "s3cret pass" };
    await withNginx({ basicAuth: credentials }, async (server) => {
      const anonymous = await fetch(`${server.url}/index.yaml`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get("www-authenticate")).toMatch(/^Basic /);
      const wrong = await fetch(`${server.url}/index.yaml`, {
        headers: { authorization: `Basic ${Buffer.from("reader:nope").toString("base64")}` },
      });
      expect(wrong.status).toBe(401);
      const good = await fetch(`${server.url}/index.yaml`, {
        headers: { authorization: `Basic ${Buffer.from("reader:s3cret pass").toString("base64")}` },
      });
      expect(good.status).toBe(200);
      expect(await good.text()).toBe(indexYaml);
    });
  });

  it("with gzip compresses index.yaml for clients that accept it", async () => {
    await withNginx({ gzip: true }, async (server) => {
      const response = await fetch(`${server.url}/index.yaml`, { headers: { "accept-encoding": "gzip" } });
      expect(response.headers.get("content-encoding")).toBe("gzip");
      expect(await response.text()).toBe(indexYaml);
      const log = await waitFor(async () => (await server.accessLog())[0], { what: "an access log line" });
      expect(log.contentEncoding).toBe("gzip");
      expect(log.bytes).toBeLessThan(indexYaml.length);
    });
  });

  it("puts extraConfig into the server block and listens on a given port", async () => {
    const port = await freePort();
    await withNginx({ port, extraConfig: "location = /teapot { return 418; }" }, async (server) => {
      expect(server.url).toBe(`http://127.0.0.1:${port}`);
      expect((await fetch(`${server.url}/teapot`)).status).toBe(418);
    });
  });

  it("fails with nginx's own words when the config is wrong", async () => {
    await expect(startNginx({ root, extraConfig: "no_such_directive on;" })).rejects.toThrow(
      /unknown directive "no_such_directive"/,
    );
  });
});
