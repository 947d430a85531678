import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { RegistryLogins, SealedCredentialRow } from "@charthouse/credentials";
import { closeRegistryAgents, createHostBreakers } from "@charthouse/outbound-http";
import { rejectionOf } from "@charthouse/testing";
import { createOciClient, type OciClient } from "./oci_client.ts";
import { parseOciReference } from "./oci_reference.ts";

interface FakeServer {
  url: string;
  host: string;
  received: { path: string; authorization: string | undefined }[];
}

const servers: { close(): Promise<void> }[] = [];
const breakers = createHostBreakers({ minimumCalls: 1000 });
const request = { timeoutMs: 5_000, bodyTimeoutMs: 5_000, blockPrivateNetworks: false };
const logins: RegistryLogins = {
  async login(credential) {
    return credential === null ? null : { type: "basic", username: "u", password: "registry-password", expiresAt: null };
  },
  forget() {},
};
const credential: SealedCredentialRow = { id: "c", kind: "basic", keyId: "k", ciphertext: "x" };

async function serve(handler: (req: IncomingMessage, res: ServerResponse, server: FakeServer) => void): Promise<FakeServer> {
  const fake: FakeServer = { url: "", host: "", received: [] };
  const server = createServer((req, res) => {
    fake.received.push({ path: req.url ?? "", authorization: req.headers.authorization });
    handler(req, res, fake);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.url = `http://${fake.host}`;
  servers.push({
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
  return fake;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function client(): OciClient {
  return createOciClient({ access: { breakers, logins, request } });
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

afterAll(async () => {
  breakers.close();
  await closeRegistryAgents();
});

describe("OCI session paging and content checks", () => {
  it("follows relative Link pages of a tag list, handles tags: null and sorts", async () => {
    const registry = await serve((req, res) => {
      if (req.url === "/v2/ns/c/tags/list") return json(res, 200, { name: "ns/c", tags: ["2.0.0", "1.0.0"] }, { link: '</v2/ns/c/tags/list?last=2.0.0&n=2>; rel="next"' });
      if (req.url === "/v2/ns/c/tags/list?last=2.0.0&n=2") return json(res, 200, { name: "ns/c", tags: ["0.5.0"] }, { link: '</v2/ns/c/tags/list?last=0.5.0&n=2>; rel="next"' });
      if (req.url === "/v2/ns/c/tags/list?last=0.5.0&n=2") return json(res, 200, { name: "ns/c", tags: null });
      if (req.url === "/v2/ns/empty/tags/list") return json(res, 200, { name: "ns/empty", tags: null });
      json(res, 404, { errors: [{ code: "NAME_UNKNOWN" }] });
    });
    const session = client().session(parseOciReference(`oci://${registry.host}/ns`), null);
    expect(await session.listTags("ns/c")).toEqual(["0.5.0", "1.0.0", "2.0.0"]);
    expect(await session.listTags("ns/empty")).toEqual([]);
  });

  it("refuses a paging link to another host", async () => {
    const registry = await serve((_req, res) => json(res, 200, { tags: ["1.0.0"] }, { link: '<http://169.254.169.254/v2/x?n=1>; rel="next"' }));
    const err = await rejectionOf(client().session(parseOciReference(`oci://${registry.host}/ns`), null).listTags("ns/c"));
    expect(err.code).toBe("registry_error");
    expect(err.message).toContain("pages to another host");
  });

  it("caps the number of tags with CHARTHOUSE_OCI_MAX_TAGS", async () => {
    const registry = await serve((_req, res) => json(res, 200, { tags: ["1.0.0", "1.0.1", "1.0.2"] }));
    const capped = createOciClient({ access: { breakers, logins, request }, limits: { maxTags: 2 } });
    const err = await rejectionOf(capped.session(parseOciReference(`oci://${registry.host}/ns`), null).listTags("ns/c"));
    expect(err.code).toBe("too_large");
    expect(err.message).toContain("CHARTHOUSE_OCI_MAX_TAGS");
  });

  it("fails with digest_mismatch when a manifest does not match Docker-Content-Digest", async () => {
    const registry = await serve((_req, res) => {
      const body = JSON.stringify({ schemaVersion: 2, config: { mediaType: "application/vnd.cncf.helm.config.v1+json", digest: `sha256:${"a".repeat(64)}`, size: 1 }, layers: [] });
      res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json", "docker-content-digest": `sha256:${"b".repeat(64)}` });
      res.end(body);
    });
    const err = await rejectionOf(client().session(parseOciReference(`oci://${registry.host}/ns`), null).manifest("ns/c", "1.0.0"));
    expect(err.code).toBe("digest_mismatch");
  });

  it("reports a non-chart artifact as isChart false with its config media type", async () => {
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: `sha256:${"c".repeat(64)}`, size: 2 },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: `sha256:${"d".repeat(64)}`, size: 3 }],
    });
    const registry = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" });
      res.end(body);
    });
    const manifest = await client().session(parseOciReference(`oci://${registry.host}/ns`), null).manifest("ns/img", "1.0.0");
    expect(manifest).toEqual({
      digest: `sha256:${createHash("sha256").update(body).digest("hex")}`,
      isChart: false,
      configMediaType: "application/vnd.oci.image.config.v1+json",
      configDigest: `sha256:${"c".repeat(64)}`,
      chartLayer: null,
      provenanceLayer: null,
    });
  });

  it("follows a blob redirect to a storage host without sending the credential there", async () => {
    const blob = Buffer.from("chart bytes");
    const storage = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(blob);
    });
    const registry = await serve((req, res) => {
      if (req.headers.authorization === undefined) {
        res.writeHead(401, { "www-authenticate": 'Basic realm="r"' });
        return res.end();
      }
      res.writeHead(307, { location: `${storage.url}/blob?X-Amz-Signature=abc` });
      res.end();
    });
    const digest = `sha256:${createHash("sha256").update(blob).digest("hex")}`;
    const response = await client().session(parseOciReference(`oci://${registry.host}/ns`), credential).openBlob("ns/c", digest, {
      maxBytes: 1024,
      limitSetting: "CHARTHOUSE_MAX_ARCHIVE_BYTES",
    });
    const chunks: Uint8Array[] = [];
    for await (const chunk of response.body) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(blob)).toBe(true);
    expect(registry.received.at(-1)?.authorization).toMatch(/^Basic /);
    expect(storage.received.map((r) => r.authorization)).toEqual([undefined]);
  });
});

describe("OCI session rate limits", () => {
  it("waits out a 429 with a short Retry-After and counts the wait", async () => {
    let calls = 0;
    const registry = await serve((_req, res) => {
      calls++;
      if (calls === 1) return json(res, 429, { errors: [{ code: "TOOMANYREQUESTS" }] }, { "retry-after": "1" });
      json(res, 200, { tags: ["1.0.0"] });
    });
    const session = client().session(parseOciReference(`oci://${registry.host}/ns`), null);
    expect(await session.listTags("ns/c")).toEqual(["1.0.0"]);
    expect(session.rateLimitWaits).toBe(1);
    expect(calls).toBe(2);
  });

  it("fails with rate_limited and retryAfterMs when the host asks for a long wait, for every session of the client", async () => {
    const registry = await serve((_req, res) => json(res, 429, { errors: [{ code: "TOOMANYREQUESTS" }] }, { "retry-after": "120" }));
    const shared = client();
    const reference = parseOciReference(`oci://${registry.host}/ns`);
    const err = await rejectionOf(shared.session(reference, null).listTags("ns/c"));
    expect(err.code).toBe("rate_limited");
    expect((err as unknown as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(100_000);
    expect(err.transient).toBe(true);
    const again = await rejectionOf(shared.session(reference, credential).manifestDigest("ns/c", "1.0.0"));
    expect(again.code).toBe("rate_limited");
    expect(registry.received).toHaveLength(1);
  });

  it("stops before the next request when Docker Hub-style headers say no requests remain", async () => {
    const registry = await serve((_req, res) =>
      json(res, 200, { tags: ["1.0.0"] }, { "ratelimit-limit": "100;w=21600", "ratelimit-remaining": "0;w=21600" }),
    );
    const session = client().session(parseOciReference(`oci://${registry.host}/ns`), null);
    expect(await session.listTags("ns/c")).toEqual(["1.0.0"]);
    const err = await rejectionOf(session.listTags("ns/c"));
    expect(err.code).toBe("rate_limited");
    expect(registry.received).toHaveLength(1);
  });
});
