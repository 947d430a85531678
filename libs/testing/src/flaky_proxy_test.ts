import { get } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFlakyProxy } from "./flaky_proxy.ts";
import { type LocalHttp, startLocalHttp } from "./local_http.ts";
import { tcpAccepts } from "./tcp_probe.ts";

const archive = Buffer.alloc(4_000, "chart bytes ");
let upstream: LocalHttp;

beforeAll(async () => {
  upstream = await startLocalHttp((_req, res) => {
    res.writeHead(200, { "content-type": "application/gzip", "content-length": archive.length, etag: '"v1"' });
    res.end(archive);
  });
});
afterAll(async () => {
  await upstream.close();
});

/** What a client saw: status, headers and the whole body, or the error that cut the body short. */
interface Seen {
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  body?: Buffer;
  error?: string;
}

function fetchOnce(url: string, timeoutMs = 5_000): Promise<Seen> {
  return new Promise((resolve) => {
    const seen: Seen = {};
    const req = get(url, { agent: false }, (res) => {
      if (res.statusCode !== undefined) seen.status = res.statusCode;
      seen.headers = res.headers;
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ ...seen, body: Buffer.concat(chunks) }));
      res.on("error", (err) => resolve({ ...seen, error: err.message }));
      res.on("aborted", () => resolve({ ...seen, error: "aborted" }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error("timed out")));
    req.on("error", (err) => resolve({ ...seen, error: (err as NodeJS.ErrnoException).code ?? err.message }));
  });
}

describe("startFlakyProxy()", () => {
  it("gives each share its fault and forwards the rest whole", async () => {
    const rolls = [0.05, 0.35, 0.45, 0.55, 0.65, 0.99];
    const proxy = await startFlakyProxy(upstream.origin, {
      shares: { unavailable: 0.3, reset: 0.1, truncated: 0.1, rateLimited: 0.1 },
      retryAfterSeconds: 2,
      random: () => rolls.shift() ?? 0.99,
    });
    try {
      const unavailable = await fetchOnce(`${proxy.url}/a.tgz`);
      expect(unavailable.status).toBe(503);
      const reset = await fetchOnce(`${proxy.url}/b.tgz`);
      expect(reset.status).toBe(200);
      expect(reset.error).toBeDefined();
      const truncated = await fetchOnce(`${proxy.url}/c.tgz`);
      expect(truncated.headers?.["content-length"]).toBe(String(archive.length));
      expect(truncated.error).toBeDefined();
      expect(truncated.body).toBeUndefined();
      const limited = await fetchOnce(`${proxy.url}/d.tgz`);
      expect([limited.status, limited.headers?.["retry-after"]]).toEqual([429, "2"]);
      for (const path of ["/e.tgz", "/f.tgz"]) {
        const ok = await fetchOnce(`${proxy.url}${path}`);
        expect(ok.status).toBe(200);
        expect(ok.body?.equals(archive)).toBe(true);
        expect(ok.headers?.etag).toBe('"v1"');
      }
      expect(proxy.requests().map((r) => r.outcome)).toEqual(["unavailable", "reset", "truncated", "rate_limited", "forwarded", "forwarded"]);
    } finally {
      await proxy.stop();
    }
  });

  it("appliesTo() keeps faults away from other paths, and setShares() changes them", async () => {
    const proxy = await startFlakyProxy(upstream.origin, { shares: { unavailable: 1 }, appliesTo: (path) => path.endsWith(".tgz") });
    try {
      expect((await fetchOnce(`${proxy.url}/index.yaml`)).status).toBe(200);
      expect((await fetchOnce(`${proxy.url}/x.tgz`)).status).toBe(503);
      proxy.setShares({});
      expect((await fetchOnce(`${proxy.url}/x.tgz`)).status).toBe(200);
    } finally {
      await proxy.stop();
    }
  });

  it("goes dark by refusing connections or by never answering, and serves again on the same port after light()", async () => {
    const proxy = await startFlakyProxy(upstream.origin);
    try {
      await proxy.goDark("refuse");
      expect(await tcpAccepts(proxy.port)).toBe(false);
      expect((await fetchOnce(`${proxy.url}/a.tgz`)).error).toBe("ECONNREFUSED");
      await proxy.light();
      expect((await fetchOnce(`${proxy.url}/a.tgz`)).status).toBe(200);

      await proxy.goDark("blackhole");
      const pending = fetchOnce(`${proxy.url}/b.tgz`, 10_000);
      expect(await Promise.race([pending.then(() => "answered"), new Promise((r) => setTimeout(() => r("silent"), 500))])).toBe("silent");
      await proxy.light();
      expect((await pending).status).toBeUndefined();
      expect((await fetchOnce(`${proxy.url}/b.tgz`)).status).toBe(200);
      expect(proxy.requests().map((r) => r.outcome)).toEqual(["forwarded", "blackholed", "forwarded"]);
    } finally {
      await proxy.stop();
    }
  });
});
