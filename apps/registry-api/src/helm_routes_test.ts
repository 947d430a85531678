import { createHash } from "node:crypto";
import { request } from "node:http";
import { gunzipSync } from "node:zlib";
import { chartVersionReady } from "@charthouse/contracts";
import { Publisher } from "@charthouse/messaging";
import { load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiTestEnv, type ApiTestEnv } from "./api_env_test_support.ts";

let env: ApiTestEnv;
let registryId: string;
let chartId: string;
const archive = new Uint8Array(Buffer.from("the stored archive's bytes"));
const archiveSha = createHash("sha256").update(archive).digest("hex");

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request without fetch's transparent decompression, to see the bytes as sent. */
function raw(path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(`${env.baseUrl}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

function basic(token: string, user = "any"): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${token}`).toString("base64")}` };
}

interface IndexDoc {
  entries: Record<string, { version: string; digest: string; urls: string[]; description?: string }[]>;
}

beforeAll(async () => {
  env = await startApiTestEnv();
  const res = await env.call("/api/v1/registries", { method: "POST", json: { name: "team-charts", url: "https://charts.example.com" } });
  registryId = ((await res.json()) as { id: string }).id;
  const [chart] = await env.sql.query<{ id: string }>("INSERT INTO charts (registry_id, name) VALUES ($1, 'app') RETURNING id", [registryId]);
  chartId = chart!.id;
  for (const [version, state] of [["1.0.0", "ready"], ["1.2.0+build.5", "ready"], ["2.0.0", "discovered"]] as const) {
    await env.sql.query(
      `INSERT INTO chart_versions (chart_id, registry_id, version, state, archive_sha256, chart_yaml)
       VALUES ($1, $2, $3, $4, CASE WHEN $4 = 'ready' THEN $5 END, $6)`,
      [chartId, registryId, version, state, archiveSha, { apiVersion: "v2", name: "app", version, description: "An app" }],
    );
  }
  await env.archives.put(archiveSha, archive);
}, 60_000);

afterAll(async () => {
  await env?.close();
});

describe("Helm repositories", () => {
  it("asks helm for Basic credentials when there are none or they are wrong", async () => {
    for (const headers of [{}, basic("cht_wrong"), basic(""), { authorization: "Bearer cht_wrong" }]) {
      const res = await raw("/helm/team-charts/index.yaml", headers);
      expect(res.status).toBe(401);
      expect(res.headers["www-authenticate"]).toBe('Basic realm="charthouse"');
      expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
    }
    expect((await raw(`/helm/team-charts/charts/app-1.0.0.tgz`, basic("cht_wrong"))).status).toBe(401);
  });

  it("serves the ready versions as index.yaml to a Basic token password or a bearer token", async () => {
    for (const headers of [basic(env.orgA.token), basic(env.orgA.token, "someone-else"), { authorization: `Bearer ${env.orgA.token}` }]) {
      const res = await raw("/helm/team-charts/index.yaml", headers);
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^application\/yaml/);
      const doc = load(res.body.toString("utf8")) as IndexDoc;
      expect(doc.entries["app"]?.map((e) => e.version)).toEqual(["1.2.0+build.5", "1.0.0"]);
      expect(doc.entries["app"]?.[0]).toMatchObject({ digest: archiveSha, urls: ["charts/app-1.2.0%2Bbuild.5.tgz"], description: "An app" });
    }
  });

  it("answers 304 to a matching If-None-Match, and sends the stored gzip bytes to clients that accept them", async () => {
    const plain = await raw("/helm/team-charts/index.yaml", basic(env.orgA.token));
    const etag = String(plain.headers["etag"]);
    expect(etag).toMatch(/^"[0-9a-f]{40}-yaml"$/);
    expect((await raw("/helm/team-charts/index.yaml", { ...basic(env.orgA.token), "if-none-match": etag })).status).toBe(304);
    const zipped = await raw("/helm/team-charts/index.yaml", { ...basic(env.orgA.token), "accept-encoding": "gzip" });
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    const zippedEtag = String(zipped.headers["etag"]);
    expect(zippedEtag).not.toBe(etag);
    const again = await raw("/helm/team-charts/index.yaml", { ...basic(env.orgA.token), "accept-encoding": "gzip", "if-none-match": zippedEtag });
    expect(again.status).toBe(304);
  });

  it("serves JSON to clients that ask for it, and to helm", async () => {
    for (const headers of [{ accept: "application/json" }, { "user-agent": "Helm/4.1.4" }]) {
      const res = await raw("/helm/team-charts/index.yaml", { ...basic(env.orgA.token), ...headers });
      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      const doc = JSON.parse(res.body.toString("utf8")) as IndexDoc;
      expect(Object.keys(doc.entries)).toEqual(["app"]);
    }
  });

  it("lists a version once it is ready, and drops it once removed", async () => {
    const versions = async (): Promise<string[]> => {
      const res = await raw("/helm/team-charts/index.yaml", { ...basic(env.orgA.token), accept: "application/json" });
      return (JSON.parse(res.body.toString("utf8")) as IndexDoc).entries["app"]?.map((e) => e.version) ?? [];
    };
    await versions();
    await env.sql.query("UPDATE chart_versions SET state = 'ready', archive_sha256 = $2, updated_at = now() WHERE registry_id = $1 AND version = '2.0.0'", [registryId, archiveSha]);
    await env.sql.query("UPDATE chart_versions SET state = 'removed', updated_at = now() WHERE registry_id = $1 AND version = '1.0.0'", [registryId]);
    // An index is rebuilt at most every few seconds: make this one old.
    await env.sql.query("UPDATE helm_indexes SET built_at = now() - interval '1 minute' WHERE registry_id = $1", [registryId]);
    // Each copy of the API reuses what it read of the index for a couple of seconds.
    const deadline = Date.now() + 15_000;
    let listed = await versions();
    while (listed[0] !== "2.0.0" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      listed = await versions();
    }
    expect(listed).toEqual(["2.0.0", "1.2.0+build.5"]);
  });

  it("rebuilds an index when its registry's events say versions changed, before any request", async () => {
    const stored = async (): Promise<number> =>
      (await env.sql.query<{ version_count: number }>("SELECT version_count FROM helm_indexes WHERE registry_id = $1", [registryId]))[0]!.version_count;
    const before = await stored();
    const [version] = await env.sql.query<{ id: string }>(
      `INSERT INTO chart_versions (chart_id, registry_id, version, state, archive_sha256, chart_yaml)
       VALUES ($1, $2, '3.0.0', 'ready', $3, '{"apiVersion":"v2","name":"app","version":"3.0.0"}') RETURNING id`,
      [chartId, registryId, archiveSha],
    );
    await new Publisher(env.nats.jetstream()).publish(chartVersionReady, {
      organizationId: env.orgA.id,
      registryId,
      versionId: version!.id,
      chart: "app",
      version: "3.0.0",
      error: null,
      at: new Date().toISOString(),
    });
    const deadline = Date.now() + 20_000;
    while ((await stored()) === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await stored()).toBe(before + 1);
  });

  it("serves a ready version's stored archive, and nothing else", async () => {
    const res = await raw("/helm/team-charts/charts/app-1.2.0%2Bbuild.5.tgz", basic(env.orgA.token));
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/gzip");
    expect(res.body.equals(Buffer.from(archive))).toBe(true);
    for (const file of ["app-1.0.0.tgz", "app-9.9.9.tgz", "app-2.0.0", "app.tgz"]) {
      expect((await raw(`/helm/team-charts/charts/${file}`, basic(env.orgA.token))).status).toBe(404);
    }
  });

  it("answers 404 for another organisation's registry and its archives", async () => {
    expect((await raw("/helm/team-charts/index.yaml", basic(env.orgB.token))).status).toBe(404);
    expect((await raw("/helm/team-charts/charts/app-2.0.0.tgz", basic(env.orgB.token))).status).toBe(404);
    expect((await raw("/helm/no-such-registry/index.yaml", basic(env.orgA.token))).status).toBe(404);
  });
});
