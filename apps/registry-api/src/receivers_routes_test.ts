import { createHmac, randomUUID } from "node:crypto";
import type { ReceiverJson, RegistryJson } from "@charthouse/api-types";
import { streams } from "@charthouse/contracts";
import {
  acrChartPush,
  cloudEventImageUpdated,
  distributionBlobPush,
  distributionManifestPush,
  dockerHubPush,
  githubRegistryPackagePublished,
  harborArtifactPush,
} from "@charthouse/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiTestEnv, type ApiTestEnv } from "./api_env_test_support.ts";

let env: ApiTestEnv;
beforeAll(async () => {
  env = await startApiTestEnv();
}, 60_000);
afterAll(async () => {
  await env?.close();
});

/** A registry whose create sync is already over, so a push makes a run of its own. */
async function registry(name: string, url: string): Promise<string> {
  const res = await env.call("/api/v1/registries", { method: "POST", json: { name, url, sync_interval_seconds: 3600 } });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as RegistryJson;
  await env.sql.query("UPDATE sync_runs SET finished_at = now(), outcome = 'unchanged' WHERE registry_id = $1", [id]);
  await env.sql.query("UPDATE registries SET active_sync_id = NULL WHERE id = $1", [id]);
  return id;
}

async function receiver(kind: string, registryId: string, name = `${kind}-${randomUUID().slice(0, 8)}`): Promise<ReceiverJson> {
  const res = await env.call("/api/v1/receivers", { method: "POST", json: { name, kind, registry_id: registryId } });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as ReceiverJson;
}

/** Posts an event as a sender would: JSON, with the headers given, no API token. */
async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

const bearer = (r: ReceiverJson): Record<string, string> => ({ authorization: `Bearer ${r.secret ?? ""}` });

/** The push-triggered sync requests of a registry on the SYNC stream: their run ids and repositories. */
async function pushRequests(registryId: string): Promise<{ syncRunId: string; repository: string | undefined }[]> {
  const jsm = await env.nats.jetstreamManager();
  const info = await jsm.streams.info(streams.SYNC.name);
  const found: { syncRunId: string; repository: string | undefined }[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const msg = await jsm.streams.getMessage(streams.SYNC.name, { seq }).catch(() => null);
    const payload = msg?.json<{ registryId: string; syncRunId: string; trigger: string; repository?: string }>();
    if (payload?.registryId === registryId && payload.trigger === "push") found.push({ syncRunId: payload.syncRunId, repository: payload.repository });
  }
  return found;
}

/** Ends a registry's active run, as a fetcher would, so the next push makes a new one. */
async function finishRuns(registryId: string): Promise<void> {
  await env.sql.query("UPDATE sync_runs SET finished_at = now(), outcome = 'unchanged' WHERE registry_id = $1 AND finished_at IS NULL", [registryId]);
  await env.sql.query("UPDATE registries SET active_sync_id = NULL WHERE id = $1", [registryId]);
}

describe("/receivers", () => {
  it("shows the secret once, with an absolute URL and the docker-registry snippet, and never again", async () => {
    const registryId = await registry("oci-once", "oci://registry.example.com/ns");
    const created = await receiver("distribution", registryId, "once");
    expect(created).toMatchObject({ name: "once", kind: "distribution", registry_id: registryId, url: `${env.baseUrl}/hooks/${created.id}` });
    expect(created.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(created.snippet.format).toBe("yaml");
    expect(created.snippet.content).toContain(`url: ${created.url}`);
    expect(created.snippet.content).toContain(`Authorization: [Bearer ${created.secret}]`);
    expect(created.snippet.content).toMatch(/actions:\n\s+- pull/);

    const one = await (await env.call(`/api/v1/receivers/${created.id}`)).text();
    const list = await (await env.call("/api/v1/receivers")).text();
    for (const text of [one, list]) {
      expect(text).not.toContain(created.secret);
      expect(text).toContain(created.id);
    }
    const stored = await env.sql.query<Record<string, unknown>>("SELECT * FROM receivers WHERE id = $1", [created.id]);
    expect(JSON.stringify(stored)).not.toContain(created.secret);
  });

  it("keeps organisations apart, pages like every list, and deletes", async () => {
    const registryId = await registry("oci-apart", "oci://registry.example.com/apart");
    const a = await receiver("generic", registryId, "apart-a");
    await receiver("generic", registryId, "apart-b");
    const other = { token: env.orgB.token };
    expect((await env.call(`/api/v1/receivers/${a.id}`, other)).status).toBe(404);
    expect(((await (await env.call("/api/v1/receivers", other)).json()) as { items: unknown[] }).items).toEqual([]);
    expect((await env.call(`/api/v1/receivers/${a.id}`, { ...other, method: "DELETE" })).status).toBe(404);
    const otherCreates = await env.call("/api/v1/receivers", { ...other, method: "POST", json: { name: "x", kind: "generic", registry_id: registryId } });
    expect(otherCreates.status).toBe(404);

    const first = (await (await env.call("/api/v1/receivers?limit=1")).json()) as { items: ReceiverJson[]; next_cursor: string | null };
    expect(first.items).toHaveLength(1);
    expect(first.next_cursor).not.toBeNull();

    expect((await env.call(`/api/v1/receivers/${a.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await env.call(`/api/v1/receivers/${a.id}`)).status).toBe(404);
    expect((await post(a.url, {}, bearer(a))).status).toBe(401);
  });

  it("answers 422 naming the field for an unknown kind or field, and 409 for a taken name", async () => {
    const registryId = await registry("oci-bad", "oci://registry.example.com/bad");
    const unknownKind = await env.call("/api/v1/receivers", { method: "POST", json: { name: "k", kind: "quay", registry_id: registryId } });
    expect(unknownKind.status).toBe(422);
    expect(((await unknownKind.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(["kind"]);
    const extra = await env.call("/api/v1/receivers", { method: "POST", json: { name: "k", kind: "generic", registry_id: registryId, secret: "mine" } });
    expect(extra.status).toBe(422);
    await receiver("generic", registryId, "taken");
    const taken = await env.call("/api/v1/receivers", { method: "POST", json: { name: "taken", kind: "generic", registry_id: registryId } });
    expect(taken.status).toBe(409);
  });
});

describe("/hooks/{id}", () => {
  it("syncs just the pushed repository on a docker-registry manifest push, with trigger push", async () => {
    const registryId = await registry("oci-distribution", "oci://registry.example.com/ns");
    const r = await receiver("distribution", registryId);
    const answer = await post(r.url, distributionManifestPush("ns/web", "1.2.0"), bearer(r));
    expect(answer).toMatchObject({ status: 202, json: { ignored: false, repository: "ns/web" } });
    const syncs = (await (await env.call(`/api/v1/registries/${registryId}/syncs`)).json()) as { items: { id: string; trigger: string }[] };
    expect(syncs.items[0]).toMatchObject({ id: answer.json["sync_id"], trigger: "push" });
    expect(await pushRequests(registryId)).toEqual([{ syncRunId: answer.json["sync_id"], repository: "ns/web" }]);
  });

  it("ignores blob pushes and other repositories with a 202 that says why, and starts nothing", async () => {
    const registryId = await registry("oci-ignore", "oci://registry.example.com/ns");
    const r = await receiver("distribution", registryId);
    expect(await post(r.url, distributionBlobPush("ns/web"), bearer(r))).toEqual({
      status: 202,
      json: { ignored: true, reason: "a blob push (application/octet-stream)" },
    });
    expect(await post(r.url, distributionManifestPush("elsewhere/web", "1.0.0"), bearer(r))).toEqual({
      status: 202,
      json: { ignored: true, reason: 'the event is for repository elsewhere/web, not in "ns"' },
    });
    expect(await pushRequests(registryId)).toEqual([]);
  });

  it("refuses a missing or wrong bearer secret, and another receiver's, with 401", async () => {
    const registryId = await registry("oci-secret", "oci://registry.example.com/ns");
    const r = await receiver("distribution", registryId);
    const other = await receiver("distribution", registryId);
    const body = distributionManifestPush("ns/web", "1.0.0");
    expect((await post(r.url, body)).status).toBe(401);
    expect((await post(r.url, body, { authorization: `Bearer ${"0".repeat(64)}` })).status).toBe(401);
    expect((await post(r.url, body, bearer(other))).status).toBe(401);
    expect((await post(`${env.baseUrl}/hooks/${randomUUID()}`, body, bearer(r))).status).toBe(401);
    expect((await post(`${env.baseUrl}/hooks/not-an-id`, body, bearer(r))).status).toBe(401);
    expect(await pushRequests(registryId)).toEqual([]);
  });

  it("takes the senders' documented payloads: harbor, dockerhub, acr, cloudevents", async () => {
    const cases = [
      { kind: "harbor", url: "oci://harbor.example.com/library", body: harborArtifactPush("library", "nginx", "15.0.1"), repository: "library/nginx" },
      { kind: "acr", url: "oci://myregistry.azurecr.io/helm", body: acrChartPush("helm/wordpress", "wordpress", "5.4.0"), repository: "helm/wordpress" },
      { kind: "cloudevents", url: "oci://zot.example.com/charts", body: cloudEventImageUpdated("charts/app", "2.0.0"), repository: "charts/app" },
    ];
    for (const c of cases) {
      const registryId = await registry(`oci-${c.kind}`, c.url);
      const r = await receiver(c.kind, registryId);
      const answer = await post(r.url, c.body, bearer(r));
      expect(answer, c.kind).toMatchObject({ status: 202, json: { ignored: false, repository: c.repository } });
      expect(await pushRequests(registryId)).toEqual([{ syncRunId: answer.json["sync_id"], repository: c.repository }]);
    }
  });

  it("takes Docker Hub's secret as the last path segment only", async () => {
    const registryId = await registry("oci-dockerhub", "oci://registry-1.docker.io/bitnamicharts");
    const r = await receiver("dockerhub", registryId);
    expect(r.snippet.content).toContain(`${r.url}/${r.secret}`);
    const body = dockerHubPush("bitnamicharts/redis", "19.0.0");
    expect((await post(r.url, body, bearer(r))).status).toBe(401);
    expect((await post(`${r.url}/${"f".repeat(64)}`, body)).status).toBe(401);
    const answer = await post(`${r.url}/${r.secret}`, body);
    expect(answer).toMatchObject({ status: 202, json: { ignored: false, repository: "bitnamicharts/redis" } });
  });

  it("checks GitHub's signature over the raw body and refuses a replayed delivery with 409", async () => {
    const registryId = await registry("oci-github", "oci://ghcr.io/octo-org/charts");
    const r = await receiver("github", registryId);
    const raw = JSON.stringify(githubRegistryPackagePublished("octo-org", "charts/web", "1.0.0"));
    const sign = (body: string, key: string): string => `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;
    const send = async (body: string, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> => {
      const res = await fetch(r.url, { method: "POST", headers: { "content-type": "application/json", "x-github-event": "registry_package", ...headers }, body });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const delivery = randomUUID();
    expect((await send(raw, { "x-hub-signature-256": sign(raw, "wrong"), "x-github-delivery": delivery })).status).toBe(401);
    expect((await send(` ${raw}`, { "x-hub-signature-256": sign(raw, r.secret ?? ""), "x-github-delivery": delivery })).status).toBe(401);
    expect((await send(raw, { authorization: `Bearer ${r.secret ?? ""}` })).status).toBe(401);
    const first = await send(raw, { "x-hub-signature-256": sign(raw, r.secret ?? ""), "x-github-delivery": delivery });
    expect(first).toMatchObject({ status: 202, json: { ignored: false, repository: "octo-org/charts/web" } });
    await finishRuns(registryId);
    const replay = await send(raw, { "x-hub-signature-256": sign(raw, r.secret ?? ""), "x-github-delivery": delivery });
    expect(replay.status).toBe(409);
    expect(await pushRequests(registryId)).toHaveLength(1);

    // GitHub's other content type: the JSON in a form field, signed as sent.
    await finishRuns(registryId);
    const form = `payload=${encodeURIComponent(raw)}`;
    const formed = await send(form, {
      "content-type": "application/x-www-form-urlencoded",
      "x-hub-signature-256": sign(form, r.secret ?? ""),
      "x-github-delivery": randomUUID(),
    });
    expect(formed).toMatchObject({ status: 202, json: { ignored: false, repository: "octo-org/charts/web" } });
  });

  it("syncs an HTTP registry's index, and refuses bodies that are not the sender's shape or too large", async () => {
    const registryId = await registry("http-harbor", "https://charts.example.com");
    const r = await receiver("harbor", registryId);
    const answer = await post(r.url, harborArtifactPush("library", "nginx", "1.0.0"), bearer(r));
    expect(answer).toMatchObject({ status: 202, json: { ignored: false, repository: null } });
    const syncs = (await (await env.call(`/api/v1/registries/${registryId}/syncs`)).json()) as { items: { trigger: string }[] };
    expect(syncs.items[0]?.trigger).toBe("push");

    const notHarbor = await post(r.url, { hello: "world" }, bearer(r));
    expect(notHarbor.status).toBe(422);
    expect(notHarbor.json["detail"]).toMatch(/not a harbor event/);
    const notJson = await fetch(r.url, { method: "POST", headers: bearer(r), body: "{not json" });
    expect(notJson.status).toBe(422);
    const huge = await fetch(r.url, { method: "POST", headers: { ...bearer(r), "content-type": "application/json" }, body: `"${"x".repeat(2 * 1024 * 1024)}"` });
    expect(huge.status).toBe(413);
  });
});
