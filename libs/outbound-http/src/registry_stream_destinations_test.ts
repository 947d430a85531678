import { afterAll, afterEach, describe, expect, it } from "vitest";
import { UnavailableError } from "@charthouse/errors";
import { rejectionOf } from "@charthouse/testing";
import { useLocalTestServers, type LocalTestServer } from "./local_test_server_test_support.ts";
import { closeRegistryAgents } from "./registry_agents.ts";
import { registryRequest } from "./registry_request.ts";
import type { RegistryRequestOptions } from "./registry_stream.ts";

const base: RegistryRequestOptions = {
  maxBytes: 1024 * 1024,
  limitSetting: "CHARTHOUSE_MAX_INDEX_BYTES",
  blockPrivateNetworks: false,
  timeoutMs: 2_000,
};

const serve = useLocalTestServers({ afterEach, afterAll }, closeRegistryAgents);


/** A server that redirects /go to `target` and answers "ok" elsewhere. */
async function redirector(target: (own: LocalTestServer) => string): Promise<LocalTestServer> {
  const holder: { server?: LocalTestServer } = {};
  const server = await serve((req, res) => {
    if (req.url === "/go" && holder.server !== undefined) {
      res.writeHead(302, { location: target(holder.server) });
      res.end();
    } else {
      res.end("ok");
    }
  });
  holder.server = server;
  return server;
}

describe("registryRequest() credentials and redirects", () => {
  it("keeps the credential on a same-origin redirect", async () => {
    const server = await redirector((own) => `${own.origin}/index.yaml`);
    const response = await registryRequest(`${server.origin}/go`, { ...base, auth: "Basic c2VjcmV0" });
    expect(response.url).toBe(`${server.origin}/index.yaml`);
    expect(server.received.map((r) => r.headers.authorization)).toEqual(["Basic c2VjcmV0", "Basic c2VjcmV0"]);
  });

  it("drops the credential on a redirect to another port", async () => {
    const other = await serve((_req, res) => res.end("elsewhere"));
    const server = await redirector(() => `${other.origin}/chart.tgz`);
    const response = await registryRequest(`${server.origin}/go`, { ...base, auth: "Bearer s3cret" });
    expect(Buffer.from(response.body ?? []).toString()).toBe("elsewhere");
    expect(server.received[0]?.headers.authorization).toBe("Bearer s3cret");
    expect(other.received[0]?.headers.authorization).toBeUndefined();
  });

  it("drops the credential on a redirect to another host name, and does not take it back", async () => {
    const holder: { port?: number } = {};
    const server = await serve((req, res) => {
      const location = req.url === "/go" ? `http://localhost:${holder.port}/bounce` : req.url === "/bounce" ? `http://127.0.0.1:${holder.port}/final` : undefined;
      res.writeHead(location === undefined ? 200 : 302, location === undefined ? {} : { location });
      res.end("ok");
    });
    holder.port = server.port;
    const response = await registryRequest(`${server.origin}/go`, { ...base, auth: "Bearer s3cret" });
    expect(response.url).toBe(`${server.origin}/final`);
    expect(server.received.map((r) => [r.path, r.headers.authorization])).toEqual([
      ["/go", "Bearer s3cret"],
      ["/bounce", undefined],
      ["/final", undefined],
    ]);
  });

  it("never sends the credential to a URL outside authOrigin", async () => {
    const server = await serve((_req, res) => res.end("chart"));
    await registryRequest(`${server.origin}/charts/nginx-1.0.0.tgz`, {
      ...base,
      auth: "Bearer s3cret",
      authOrigin: "https://charts.example.com/",
    });
    expect(server.received[0]?.headers.authorization).toBeUndefined();
  });

  it("follows at most 5 redirects", async () => {
    let hops = 0;
    const holder: { origin?: string } = {};
    const server = await serve((_req, res) => {
      hops++;
      res.writeHead(301, { location: `${holder.origin ?? ""}/hop${hops}` });
      res.end();
    });
    holder.origin = server.origin;
    const err = await rejectionOf(registryRequest(`${server.origin}/start`, base));
    expect(err).toMatchObject({ code: "registry_error", transient: false });
    expect(err.message).toMatch(/more than 5 times/);
    expect(hops).toBe(6);
  });

  it("does not follow redirects when told not to", async () => {
    const server = await redirector((own) => `${own.origin}/index.yaml`);
    const err = await rejectionOf(registryRequest(`${server.origin}/go`, { ...base, followRedirects: false }));
    expect(err).toMatchObject({ code: "registry_error", status: 302 });
    expect(server.received).toHaveLength(1);
  });
});

describe("registryRequest() destination guard", () => {
  it("refuses the cloud metadata address without connecting", async () => {
    const started = Date.now();
    const err = await rejectionOf(registryRequest("http://169.254.169.254/latest/meta-data/", { ...base, timeoutMs: 10_000 }));
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.code).toBe("forbidden_destination");
    expect(err.message).toContain("http://169.254.169.254/latest/meta-data/");
    expect(Date.now() - started).toBeLessThan(200);
    for (const url of [
      "http://metadata.google.internal/computeMetadata/v1/",
      "http://[fd00:ec2::254]/",
      "http://[::ffff:169.254.169.254]/",
      "http://2852039166/",
      "http://0xa9.0xfe.0xa9.0xfe/",
    ]) {
      expect((await rejectionOf(registryRequest(url, base))).code, url).toBe("forbidden_destination");
    }
  });

  it("keeps credentials and query secrets out of its messages", async () => {
    const err = await rejectionOf(registryRequest("http://bob:pa55w0rd@169.254.169.254/index.yaml?token=t0ps3cret", base));
    expect(err.message).toContain("http://169.254.169.254/index.yaml?token=…");
    expect(err.message).not.toMatch(/pa55w0rd|t0ps3cret|bob/);
  });

  it("refuses a redirect to the metadata address", async () => {
    const server = await redirector(() => "http://169.254.169.254/latest/meta-data/iam/");
    const err = await rejectionOf(registryRequest(`${server.origin}/go`, base));
    expect(err.code).toBe("forbidden_destination");
    expect(err.message).toContain("169.254.169.254");
  });

  it("refuses loopback when private networks are blocked, by address and by resolved name", async () => {
    const server = await serve((_req, res) => res.end("ok"));
    const options = { ...base, blockPrivateNetworks: true };
    const byAddress = await rejectionOf(registryRequest(`${server.origin}/index.yaml`, options));
    expect(byAddress.code).toBe("forbidden_destination");
    expect(byAddress.message).toMatch(/CHARTHOUSE_BLOCK_PRIVATE_NETWORKS/);
    const byName = await rejectionOf(registryRequest(`http://localhost:${server.port}/index.yaml`, options));
    expect(byName.code).toBe("forbidden_destination");
    expect(server.received).toHaveLength(0);
  });

  it("allows loopback when private networks are not blocked", async () => {
    const server = await serve((_req, res) => res.end("ok"));
    const response = await registryRequest(`http://localhost:${server.port}/index.yaml`, base);
    expect(response.status).toBe(200);
  });

  it("refuses a redirect to a non-HTTP scheme", async () => {
    const server = await redirector(() => "file:///etc/passwd");
    const err = await rejectionOf(registryRequest(`${server.origin}/go`, base));
    expect(err.code).toBe("forbidden_destination");
  });
});
