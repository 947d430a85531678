import type { RegistryJson } from "@charthouse/api-types";
import { streams } from "@charthouse/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiTestEnv, type ApiTestEnv } from "./api_env_test_support.ts";

let env: ApiTestEnv;
beforeAll(async () => {
  env = await startApiTestEnv();
}, 60_000);
afterAll(async () => {
  await env?.close();
});

async function create(body: Record<string, unknown>): Promise<Response> {
  return await env.call("/api/v1/registries", { method: "POST", json: body });
}

async function createOk(body: Record<string, unknown>): Promise<RegistryJson> {
  const res = await create(body);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as RegistryJson;
}

async function expectProblem(res: Response, status: number, code: string): Promise<Record<string, unknown>> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status, code });
  expect(typeof body["type"]).toBe("string");
  expect(typeof body["title"]).toBe("string");
  expect(typeof body["detail"]).toBe("string");
  return body;
}

describe("auth", () => {
  it("answers 401 without a token, with an unknown token and with a revoked one", async () => {
    await expectProblem(await env.call("/api/v1/registries", { token: null }), 401, "unauthorized");
    await expectProblem(await env.call("/api/v1/registries", { token: "nope" }), 401, "unauthorized");
    await env.sql.query("INSERT INTO api_tokens (organization_id, name, token_hash, scopes, revoked_at) VALUES ($1, 'old', encode(sha256('revoked-token'), 'hex'), '{read}', now())", [env.orgA.id]);
    await expectProblem(await env.call("/api/v1/registries", { token: "revoked-token" }), 401, "unauthorized");
  });

  it("records last_used_at of a token", async () => {
    await env.call("/api/v1/registries");
    const rows = await env.sql.query<{ last_used_at: Date | null }>("SELECT last_used_at FROM api_tokens WHERE name = 'bootstrap'");
    expect(rows[0]?.last_used_at).toBeInstanceOf(Date);
  });

  it("serves openapi.json without auth, describing every route", async () => {
    const res = await env.call("/api/v1/openapi.json", { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/registries", "/registries/{id}/sync", "/credentials/{id}", "/charts"]));
  });

  it("answers unknown routes with a 404 problem and malformed JSON with 422", async () => {
    await expectProblem(await env.call("/api/v1/nothing-here"), 404, "not_found");
    const res = await env.call("/api/v1/registries", { method: "POST", body: "{oops", headers: { "content-type": "application/json" } });
    await expectProblem(res, 422, "invalid_input");
  });

  it("answers readiness with Postgres and NATS checks", async () => {
    const res = await fetch(`${env.baseUrl}/readyz`);
    expect(await res.json()).toMatchObject({ status: "ok", checks: { postgres: "ok", nats: "ok" } });
  });
});

describe("POST /registries", () => {
  it("detects the kind, normalises the URL and requests the first sync", async () => {
    const http = await createOk({ name: "http-one", url: "HTTPS://Charts.Example.com:443/stable/" });
    expect(http).toMatchObject({ kind: "http_registry", url: "https://charts.example.com/stable", sync_interval_seconds: 120, credential_id: null });
    expect(http.status).toMatchObject({ state: "pending", charts: 0, versions: 0, versions_pending: 0, versions_failed: 0, last_outcome: null });
    const oci = await createOk({ name: "oci-one", url: "oci://ghcr.io/org/charts" });
    expect(oci.kind).toBe("oci_registry");
    const runs = await env.sql.query<{ trigger: string }>("SELECT trigger FROM sync_runs WHERE registry_id = $1", [oci.id]);
    expect(runs.map((r) => r.trigger)).toEqual(["create"]);
  });

  it("answers invalid_reference for an OCI registry without oci://", async () => {
    const body = await expectProblem(await create({ name: "bad-oci", url: "https://ghcr.io/org", kind: "oci_registry" }), 422, "invalid_reference");
    expect(body["solution"]).toBe("Add oci:// to the URL");
  });

  it("validates the interval: 0 disables, 10..86400, anything else 422", async () => {
    const disabled = await createOk({ name: "manual-only", url: "https://a.example.com", sync_interval_seconds: 0 });
    expect(disabled.status).toMatchObject({ state: "disabled", next_sync_at: null });
    for (const value of [5, 86_401, 12.5, "60", -1]) {
      const body = await expectProblem(await create({ name: `iv-${String(value)}`, url: "https://b.example.com", sync_interval_seconds: value }), 422, "invalid_input");
      expect(body["errors"]).toEqual([expect.objectContaining({ field: "sync_interval_seconds" })]);
    }
  });

  it("refuses user info in the URL, unknown credentials and empty names", async () => {
    const body = await expectProblem(await create({ name: "userinfo", url: "https://me:pw@example.com" }), 422, "invalid_input");
    expect(JSON.stringify(body)).not.toContain("pw@");
    await expectProblem(await create({ name: "cred", url: "https://c.example.com", credential_id: crypto.randomUUID() }), 422, "invalid_input");
    await expectProblem(await create({ name: "", url: "https://c.example.com" }), 422, "invalid_input");
    await expectProblem(await create({ name: "x".repeat(101), url: "https://c.example.com" }), 422, "invalid_input");
  });

  it("answers 409 conflict for a name already used in the organisation, but not in another", async () => {
    await createOk({ name: "dup", url: "https://d.example.com" });
    await expectProblem(await create({ name: "dup", url: "https://e.example.com" }), 409, "conflict");
    const other = await env.call("/api/v1/registries", { method: "POST", token: env.orgB.token, json: { name: "dup", url: "https://d.example.com" } });
    expect(other.status).toBe(201);
  });
});

describe("POST /registries/bulk", () => {
  async function bulk(registries: unknown, token?: string): Promise<Response> {
    return await env.call("/api/v1/registries/bulk", { method: "POST", json: { registries }, ...(token === undefined ? {} : { token }) });
  }

  async function syncMessages(registryIds: readonly string[]): Promise<string[]> {
    const jsm = await env.nats.jetstreamManager();
    const wanted = new Set(registryIds);
    const found: string[] = [];
    const info = await jsm.streams.info(streams.SYNC.name);
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const msg = await jsm.streams.getMessage(streams.SYNC.name, { seq }).catch(() => null);
      const payload = msg?.json<{ registryId: string; trigger: string }>();
      if (payload !== undefined && wanted.has(payload.registryId)) found.push(`${msg!.subject}:${payload.trigger}:${payload.registryId}`);
    }
    return found.sort();
  }

  it("creates every registry in the order given, each with its first sync requested and published", async () => {
    const given = [
      { name: "bulk-b", url: "https://B.example.com/charts/" },
      { name: "bulk-a", url: "oci://ghcr.io/org/charts", sync_interval_seconds: 0 },
      { name: "bulk-c", url: "https://c.example.com", sync_interval_seconds: 600 },
    ];
    const res = await bulk(given);
    expect(res.status, await res.clone().text()).toBe(201);
    const { registries } = (await res.json()) as { registries: RegistryJson[] };
    expect(registries.map((r) => [r.name, r.kind, r.url, r.sync_interval_seconds])).toEqual([
      ["bulk-b", "http_registry", "https://b.example.com/charts", 120],
      ["bulk-a", "oci_registry", "oci://ghcr.io/org/charts", 0],
      ["bulk-c", "http_registry", "https://c.example.com", 600],
    ]);
    const ids = registries.map((r) => r.id);
    const runs = await env.sql.query<{ registry_id: string; trigger: string; active: boolean }>(
      `SELECT s.registry_id, s.trigger, (r.active_sync_id = s.id) AS active FROM sync_runs s JOIN registries r ON r.id = s.registry_id
        WHERE s.registry_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(runs.map((r) => `${r.trigger}:${r.active}`)).toEqual(["create:true", "create:true", "create:true"]);
    expect(await syncMessages(ids)).toEqual(
      [
        `sync.requested.http.v1:create:${ids[0]}`,
        `sync.requested.oci.v1:create:${ids[1]}`,
        `sync.requested.http.v1:create:${ids[2]}`,
      ].sort(),
    );
  });

  it("creates nothing when one registry is invalid, and names every problem by its index", async () => {
    const res = await bulk([
      { name: "bulk-ok", url: "https://ok.example.com" },
      { name: "bulk-bad-scheme", url: "ftp://x.example.com" },
      { name: "bulk-ok", url: "https://again.example.com" },
      { name: "", url: "https://empty.example.com" },
    ]);
    const body = (await expectProblem(res, 422, "invalid_input")) as { errors: { field: string }[] };
    expect(body.errors.map((e) => e.field)).toEqual(["registries.3.name"]);
    const second = await bulk([
      { name: "bulk-ok", url: "https://ok.example.com" },
      { name: "bulk-bad-scheme", url: "ftp://x.example.com" },
      { name: "bulk-ok", url: "https://again.example.com" },
    ]);
    const problem = (await expectProblem(second, 422, "invalid_input")) as { errors: { field: string }[] };
    expect(problem.errors.map((e) => e.field)).toEqual(["registries.1.url", "registries.2.name"]);
    const rows = await env.sql.query("SELECT 1 FROM registries WHERE name LIKE 'bulk-ok%' OR name = 'bulk-bad-scheme'");
    expect(rows).toHaveLength(0);
  });

  it("refuses an empty list, more than 1,000 registries, and another organisation's credential", async () => {
    await expectProblem(await bulk([]), 422, "invalid_input");
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ name: `many-${i}`, url: `https://m${i}.example.com` }));
    await expectProblem(await bulk(tooMany), 422, "invalid_input");
    const credential = await env.call("/api/v1/credentials", {
      method: "POST",
      token: env.orgB.token,
      json: { name: "b-cred", kind: "basic", username: "u", password: "p" },
    });
    expect(credential.status, await credential.clone().text()).toBe(201);
    const foreign = ((await credential.json()) as { id: string }).id;
    const res = await bulk([
      { name: "bulk-cred-ok", url: "https://x.example.com" },
      { name: "bulk-cred", url: "https://y.example.com", credential_id: foreign },
    ]);
    const problem = (await expectProblem(res, 422, "invalid_input")) as { errors: { field: string }[] };
    expect(problem.errors.map((e) => e.field)).toEqual(["registries.1.credential_id"]);
    expect(await env.sql.query("SELECT 1 FROM registries WHERE name LIKE 'bulk-cred%'")).toHaveLength(0);
  });

  it("answers 409 naming a name the organisation already uses, and creates nothing", async () => {
    await createOk({ name: "bulk-taken", url: "https://t.example.com" });
    const res = await bulk([
      { name: "bulk-fresh", url: "https://f.example.com" },
      { name: "bulk-taken", url: "https://t2.example.com" },
    ]);
    const body = await expectProblem(res, 409, "conflict");
    expect(body["detail"]).toContain('"bulk-taken"');
    expect(await env.sql.query("SELECT 1 FROM registries WHERE name = 'bulk-fresh'")).toHaveLength(0);
    // Another organisation may use the same names.
    expect((await bulk([{ name: "bulk-taken", url: "https://t.example.com" }], env.orgB.token)).status).toBe(201);
  });
});

describe("PATCH and DELETE /registries/{id}", () => {
  it("forgets validators when the url or credential changes, not when only the name does", async () => {
    const reg = await createOk({ name: "validators", url: "https://v.example.com" });
    const setValidators = (): Promise<unknown> =>
      env.sql.query("UPDATE registries SET etag = 'e1', last_modified = 'lm', content_hash = 'h' WHERE id = $1", [reg.id]);
    const validators = async (): Promise<unknown> =>
      (await env.sql.query("SELECT etag, last_modified, content_hash FROM registries WHERE id = $1", [reg.id]))[0];
    await setValidators();
    let res = await env.call(`/api/v1/registries/${reg.id}`, { method: "PATCH", json: { name: "validators-renamed" } });
    expect(res.status).toBe(200);
    expect(await validators()).toEqual({ etag: "e1", last_modified: "lm", content_hash: "h" });
    res = await env.call(`/api/v1/registries/${reg.id}`, { method: "PATCH", json: { url: "https://v2.example.com/" } });
    expect(((await res.json()) as RegistryJson).url).toBe("https://v2.example.com");
    expect(await validators()).toEqual({ etag: null, last_modified: null, content_hash: null });
  });

  it("recomputes next_sync_at when the interval changes, NULL for 0", async () => {
    const reg = await createOk({ name: "interval", url: "https://i.example.com" });
    let res = await env.call(`/api/v1/registries/${reg.id}`, { method: "PATCH", json: { sync_interval_seconds: 0 } });
    expect(((await res.json()) as RegistryJson).status).toMatchObject({ next_sync_at: null, state: "disabled" });
    res = await env.call(`/api/v1/registries/${reg.id}`, { method: "PATCH", json: { sync_interval_seconds: 3600 } });
    const next = ((await res.json()) as RegistryJson).status.next_sync_at;
    expect(typeof next).toBe("string");
    expect(Date.parse(String(next))).toBeGreaterThan(Date.now() - 5_000);
    await expectProblem(await env.call(`/api/v1/registries/${reg.id}`, { method: "PATCH", json: { url: "oci://x.example.com/a" } }), 422, "invalid_reference");
  });

  it("deletes a registry with its charts, versions and sync runs", async () => {
    const reg = await createOk({ name: "doomed", url: "https://z.example.com" });
    const [chart] = await env.sql.query<{ id: string }>("INSERT INTO charts (registry_id, name, versions) VALUES ($1, 'app', 1) RETURNING id", [reg.id]);
    await env.sql.query("INSERT INTO chart_versions (chart_id, registry_id, version) VALUES ($1, $2, '1.0.0')", [chart!.id, reg.id]);
    const res = await env.call(`/api/v1/registries/${reg.id}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    const left = await env.sql.query<{ n: number }>("SELECT (SELECT count(*) FROM charts WHERE registry_id = $1)::int + (SELECT count(*) FROM chart_versions WHERE registry_id = $1)::int + (SELECT count(*) FROM sync_runs WHERE registry_id = $1)::int AS n",
      [reg.id],
    );
    expect(left[0]?.n).toBe(0);
    await expectProblem(await env.call(`/api/v1/registries/${reg.id}`), 404, "not_found");
  });
});

describe("syncs", () => {
  it("reuses a queued sync: two POSTs answer the same sync_id, and one message is on the stream", async () => {
    const reg = await createOk({ name: "manual", url: "https://m.example.com", sync_interval_seconds: 0 });
    // Let the create sync finish so the manual ones make a new run.
    await env.sql.query("UPDATE sync_runs SET finished_at = now(), outcome = 'unchanged' WHERE registry_id = $1", [reg.id]);
    await env.sql.query("UPDATE registries SET active_sync_id = NULL WHERE id = $1", [reg.id]);
    const first = await env.call(`/api/v1/registries/${reg.id}/sync`, { method: "POST" });
    const second = await env.call(`/api/v1/registries/${reg.id}/sync`, { method: "POST" });
    expect(first.status).toBe(202);
    const a = (await first.json()) as { sync_id: string };
    const b = (await second.json()) as { sync_id: string };
    expect(b.sync_id).toBe(a.sync_id);
    const jsm = await env.nats.jetstreamManager();
    const ids: string[] = [];
    const info = await jsm.streams.info(streams.SYNC.name);
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const msg = await jsm.streams.getMessage(streams.SYNC.name, { seq }).catch(() => null);
      const payload = msg?.json<{ registryId: string; syncRunId: string; trigger: string }>();
      if (payload?.registryId === reg.id && msg?.subject === "sync.requested.http.v1") ids.push(`${payload.trigger}:${payload.syncRunId}`);
    }
    expect(ids.filter((id) => id.endsWith(a.sync_id))).toEqual([`manual:${a.sync_id}`]);

    const list = await env.call(`/api/v1/registries/${reg.id}/syncs`);
    const runs = (await list.json()) as { items: { id: string; trigger: string; bytes: number | null }[]; next_cursor: string | null };
    expect(runs.items.map((r) => r.trigger)).toEqual(["manual", "create"]);
    expect(runs.items[0]?.id).toBe(a.sync_id);
  });

  it("shows syncing while the active run has started", async () => {
    const reg = await createOk({ name: "busy", url: "https://busy.example.com" });
    await env.sql.query("UPDATE sync_runs SET started_at = now() WHERE registry_id = $1", [reg.id]);
    const res = await env.call(`/api/v1/registries/${reg.id}`);
    expect(((await res.json()) as RegistryJson).status.state).toBe("syncing");
  });
});

describe("organisations", () => {
  it("answers 404 to another organisation for every registry route", async () => {
    const reg = await createOk({ name: "private", url: "https://p.example.com" });
    const b = { token: env.orgB.token };
    for (const [method, path] of [
      ["GET", `/api/v1/registries/${reg.id}`],
      ["PATCH", `/api/v1/registries/${reg.id}`],
      ["DELETE", `/api/v1/registries/${reg.id}`],
      ["POST", `/api/v1/registries/${reg.id}/sync`],
      ["GET", `/api/v1/registries/${reg.id}/syncs`],
      ["GET", `/api/v1/registries/${reg.id}/charts`],
      ["GET", `/api/v1/charts?registry_id=${reg.id}`],
    ] as const) {
      await expectProblem(await env.call(path, { ...b, method, ...(method === "PATCH" ? { json: { name: "stolen" } } : {}) }), 404, "not_found");
    }
    const list = (await (await env.call("/api/v1/registries?limit=500", b)).json()) as { items: RegistryJson[] };
    expect(list.items.map((r) => r.id)).not.toContain(reg.id);
  });
});

describe("pagination", () => {
  it("walks 250 registries with the cursor, each once, ordered by name then id", async () => {
    const { id: orgId } = { id: env.orgB.id };
    await env.sql.query(`INSERT INTO registries (organization_id, name, url, kind) SELECT $1, 'page-' || lpad(i::text, 3, '0'), 'https://x.example.com', 'http_registry' FROM generate_series(1, 250) i`,
      [orgId],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`;
      const res = await env.call(`/api/v1/registries?limit=100${query}`, { token: env.orgB.token });
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: RegistryJson[]; next_cursor: string | null };
      seen.push(...page.items.map((r) => r.name));
      cursor = page.next_cursor;
      pages++;
    } while (cursor !== null);
    const names = seen.filter((n) => n.startsWith("page-"));
    expect(names).toHaveLength(250);
    expect(new Set(names).size).toBe(250);
    expect(names).toEqual([...names].sort());
    expect(pages).toBe(3);
    await expectProblem(await env.call("/api/v1/registries?limit=501"), 422, "invalid_input");
    await expectProblem(await env.call("/api/v1/registries?cursor=garbage"), 422, "invalid_input");
  });
});
