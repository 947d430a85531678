import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRecordingProxy, type RecordingProxy } from "./recording_proxy.ts";

let upstream: ReturnType<typeof createServer>;
let upstreamUrl: string;
let proxy: RecordingProxy;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    if (req.url === "/moved") {
      res.writeHead(307, { location: `${upstreamUrl}/here` }).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" }).end(`you asked for ${req.url}`);
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const address = upstream.address();
  if (address === null || typeof address === "string") throw new Error("no address");
  upstreamUrl = `http://127.0.0.1:${address.port}`;
  proxy = await startRecordingProxy(upstreamUrl, {
    intercept: ({ path }) => (path === "/limited" ? { status: 429, headers: { "retry-after": "1" } } : undefined),
  });
});

afterAll(async () => {
  await proxy.stop();
  await new Promise((resolve) => upstream.close(resolve));
});

describe("startRecordingProxy()", () => {
  it("forwards requests, records them without their credentials, and answers intercepted ones itself", async () => {
    const forwarded = await fetch(`${proxy.url}/v2/x?n=1`, { headers: { authorization: "Bearer secret" } });
    expect(await forwarded.text()).toBe("you asked for /v2/x?n=1");
    const limited = await fetch(`${proxy.url}/limited`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(proxy.requests()).toEqual([
      { method: "GET", path: "/v2/x?n=1", status: 200, authorized: true },
      { method: "GET", path: "/limited", status: 429, authorized: false },
    ]);
    expect(JSON.stringify(proxy.requests())).not.toContain("secret");
  });

  it("rewrites redirects to the upstream so they come back through the proxy", async () => {
    proxy.clear();
    const response = await fetch(`${proxy.url}/moved`, { redirect: "manual" });
    expect(response.headers.get("location")).toBe(`${proxy.url}/here`);
    expect(proxy.requests()).toHaveLength(1);
  });
});
