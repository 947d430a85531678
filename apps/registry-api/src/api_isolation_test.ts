// Every route of the API, table-driven, against three kinds of caller that must get nothing:
// another organisation's token (404, never 403, and none of the first organisation's data),
// a token with too small a scope (403 forbidden), and no usable token (401). The routes are
// the union of express's routing table and the OpenAPI document's operations (a route mounted
// only in some setups, like GET /events, is still documented): one missing from the table below
// fails the first test, so a new route cannot skip these checks.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@charthouse/logging";
import { Publisher } from "@charthouse/messaging";
import { listApiRoutes, type ApiRoute } from "./api_route_list.ts";
import { startApiTestEnv, type ApiTestEnv } from "./api_env_test_support.ts";
import { buildApiRouter } from "./app.ts";
import { hashToken } from "./auth.ts";
import { ensureApiToken } from "./bootstrap.ts";
import { openApiDocument } from "./openapi.ts";
import type { TokenScope } from "./token_scopes.ts";

/** What a route needs: a scope, the operator (admin of the default organisation), or nothing. */
type Needs = TokenScope | "operator" | "public";

/** The objects of organisation A the requests name. */
interface Fixture {
  registryId: string;
  credentialId: string;
  spareCredentialId: string;
  tokenId: string;
  subscriptionId: string;
  spareSubscriptionId: string;
  receiverId: string;
  spareReceiverId: string;
  chart: string;
  version: string;
}

/** One request of a route, and what another organisation's admin token gets from it. */
interface Call {
  path: string;
  body?: unknown;
  /** not_found for A's objects; otherwise the status B gets acting on its own organisation. */
  otherOrganization: "not_found" | number;
  /** An endless response (Server-Sent Events): only its first chunk is read. */
  stream?: true;
}

interface Entry {
  needs: Needs;
  /** The status organisation A's admin token gets. */
  ok: number;
  calls: (f: Fixture) => Call[];
}

const tag = randomBytes(4).toString("hex");
const own = (status: number): Call["otherOrganization"] => status;
const version = (f: Fixture, suffix = ""): string => `/registries/${f.registryId}/charts/${f.chart}/versions/${f.version}${suffix}`;

/** Every route: `METHOD /express/path`. */
const table: Record<string, Entry> = {
  "GET /openapi.json": { needs: "public", ok: 200, calls: () => [{ path: "/openapi.json", otherOrganization: own(200) }] },
  "GET /registries": { needs: "read", ok: 200, calls: () => [{ path: "/registries", otherOrganization: own(200) }] },
  "POST /registries": {
    needs: "write",
    ok: 201,
    calls: (f) => [
      { path: "/registries", body: { name: `new-${tag}`, url: "https://new.example.com" }, otherOrganization: own(201) },
      // Naming A's credential from B is the same as naming none that exists.
      { path: "/registries", body: { name: `new-cred-${tag}`, url: "https://new2.example.com", credential_id: f.credentialId }, otherOrganization: own(422) },
    ],
  },
  "POST /registries/bulk": {
    needs: "write",
    ok: 201,
    calls: (f) => [
      { path: "/registries/bulk", body: { registries: [{ name: `bulk-${tag}`, url: "https://bulk.example.com" }] }, otherOrganization: own(201) },
      {
        path: "/registries/bulk",
        body: { registries: [{ name: `bulk-cred-${tag}`, url: "https://bulk2.example.com", credential_id: f.credentialId }] },
        otherOrganization: own(422),
      },
    ],
  },
  "GET /registries/:id": { needs: "read", ok: 200, calls: (f) => [{ path: `/registries/${f.registryId}`, otherOrganization: "not_found" }] },
  "PATCH /registries/:id": {
    needs: "write",
    ok: 200,
    calls: (f) => [{ path: `/registries/${f.registryId}`, body: { sync_interval_seconds: 300 }, otherOrganization: "not_found" }],
  },
  "DELETE /registries/:id": { needs: "write", ok: 204, calls: (f) => [{ path: `/registries/${f.registryId}`, otherOrganization: "not_found" }] },
  "POST /registries/:id/sync": { needs: "write", ok: 202, calls: (f) => [{ path: `/registries/${f.registryId}/sync`, otherOrganization: "not_found" }] },
  "GET /registries/:id/syncs": { needs: "read", ok: 200, calls: (f) => [{ path: `/registries/${f.registryId}/syncs`, otherOrganization: "not_found" }] },
  "GET /credentials": { needs: "read", ok: 200, calls: () => [{ path: "/credentials", otherOrganization: own(200) }] },
  "GET /receivers": { needs: "read", ok: 200, calls: () => [{ path: "/receivers", otherOrganization: own(200) }] },
  "POST /receivers": {
    needs: "write",
    ok: 201,
    // B naming A's registry is the same as naming none that exists.
    calls: (f) => [{ path: "/receivers", body: { name: `recv-new-${tag}`, kind: "generic", registry_id: f.registryId }, otherOrganization: "not_found" }],
  },
  "GET /receivers/:id": { needs: "read", ok: 200, calls: (f) => [{ path: `/receivers/${f.receiverId}`, otherOrganization: "not_found" }] },
  "DELETE /receivers/:id": { needs: "write", ok: 204, calls: (f) => [{ path: `/receivers/${f.spareReceiverId}`, otherOrganization: "not_found" }] },
  "POST /credentials": {
    needs: "write",
    ok: 201,
    calls: () => [{ path: "/credentials", body: { name: `cred-new-${tag}`, kind: "token", token: `tok-${tag}` }, otherOrganization: own(201) }],
  },
  "GET /credentials/:id": { needs: "read", ok: 200, calls: (f) => [{ path: `/credentials/${f.credentialId}`, otherOrganization: "not_found" }] },
  "PATCH /credentials/:id": {
    needs: "write",
    ok: 200,
    calls: (f) => [{ path: `/credentials/${f.credentialId}`, body: { name: `renamed-${tag}` }, otherOrganization: "not_found" }],
  },
  "DELETE /credentials/:id": { needs: "write", ok: 204, calls: (f) => [{ path: `/credentials/${f.spareCredentialId}`, otherOrganization: "not_found" }] },
  "GET /charts": {
    needs: "read",
    ok: 200,
    calls: (f) => [
      { path: "/charts", otherOrganization: own(200) },
      { path: `/charts?q=${f.chart}`, otherOrganization: own(200) },
      { path: `/charts?registry_id=${f.registryId}`, otherOrganization: "not_found" },
    ],
  },
  "GET /registries/:id/charts": { needs: "read", ok: 200, calls: (f) => [{ path: `/registries/${f.registryId}/charts`, otherOrganization: "not_found" }] },
  "GET /registries/:id/charts/:name": {
    needs: "read",
    ok: 200,
    calls: (f) => [{ path: `/registries/${f.registryId}/charts/${f.chart}`, otherOrganization: "not_found" }],
  },
  "GET /registries/:id/charts/:name/versions": {
    needs: "read",
    ok: 200,
    calls: (f) => [{ path: `/registries/${f.registryId}/charts/${f.chart}/versions`, otherOrganization: "not_found" }],
  },
  "GET /registries/:id/charts/:name/versions/:version": { needs: "read", ok: 200, calls: (f) => [{ path: version(f), otherOrganization: "not_found" }] },
  "GET /registries/:id/charts/:name/versions/:version/readme": {
    needs: "read",
    ok: 200,
    calls: (f) => [{ path: version(f, "/readme"), otherOrganization: "not_found" }],
  },
  "GET /registries/:id/charts/:name/versions/:version/values": {
    needs: "read",
    ok: 200,
    calls: (f) => [{ path: version(f, "/values"), otherOrganization: "not_found" }],
  },
  "GET /registries/:id/charts/:name/versions/:version/schema": {
    needs: "read",
    ok: 200,
    calls: (f) => [{ path: version(f, "/schema"), otherOrganization: "not_found" }],
  },
  "GET /registries/:id/charts/:name/versions/:version/archive": {
    needs: "read",
    ok: 200,
    calls: (f) => [{ path: version(f, "/archive"), otherOrganization: "not_found" }],
  },
  "GET /registries/:id/charts/:name/compare": {
    needs: "read",
    ok: 200,
    calls: (f) => [{ path: `/registries/${f.registryId}/charts/${f.chart}/compare?from=${f.version}&to=${f.version}`, otherOrganization: "not_found" }],
  },
  // A POST that only reads: the read scope is enough.
  "POST /registries/:id/charts/:name/versions/:version/check-values": {
    needs: "read",
    ok: 200,
    calls: (f) => [{ path: version(f, "/check-values"), body: { values: "note: mine\n" }, otherOrganization: "not_found" }],
  },
  "GET /subscriptions": { needs: "read", ok: 200, calls: () => [{ path: "/subscriptions", otherOrganization: own(200) }] },
  "POST /subscriptions": {
    needs: "write",
    ok: 201,
    calls: (f) => [
      { path: "/subscriptions", body: { name: `sub-new-${tag}`, url: "https://203.0.113.7/hook", events: ["version.ready"] }, otherOrganization: own(201) },
      // Naming A's registry from B is the same as naming none that exists.
      {
        path: "/subscriptions",
        body: { name: `sub-reg-${tag}`, url: "https://203.0.113.7/hook", events: ["version.ready"], registry_id: f.registryId },
        otherOrganization: own(422),
      },
    ],
  },
  "GET /subscriptions/:id": { needs: "read", ok: 200, calls: (f) => [{ path: `/subscriptions/${f.subscriptionId}`, otherOrganization: "not_found" }] },
  "DELETE /subscriptions/:id": { needs: "write", ok: 204, calls: (f) => [{ path: `/subscriptions/${f.spareSubscriptionId}`, otherOrganization: "not_found" }] },
  "GET /subscriptions/:id/deliveries": {
    needs: "read",
    ok: 200,
    calls: (f) => [{ path: `/subscriptions/${f.subscriptionId}/deliveries`, otherOrganization: "not_found" }],
  },
  "POST /subscriptions/:id/test": { needs: "write", ok: 202, calls: (f) => [{ path: `/subscriptions/${f.subscriptionId}/test`, otherOrganization: "not_found" }] },
  "GET /tokens": { needs: "admin", ok: 200, calls: () => [{ path: "/tokens", otherOrganization: own(200) }] },
  "POST /tokens": { needs: "admin", ok: 201, calls: () => [{ path: "/tokens", body: { name: `made-${tag}`, scopes: ["read"] }, otherOrganization: own(201) }] },
  "GET /tokens/:id": { needs: "admin", ok: 200, calls: (f) => [{ path: `/tokens/${f.tokenId}`, otherOrganization: "not_found" }] },
  "DELETE /tokens/:id": { needs: "admin", ok: 204, calls: (f) => [{ path: `/tokens/${f.tokenId}`, otherOrganization: "not_found" }] },
  // The organisation's live events: B's stream is B's own; what it carries is checked for A's data.
  "GET /events": { needs: "read", ok: 200, calls: () => [{ path: "/events", stream: true, otherOrganization: own(200) }] },
  "GET /organizations/current": { needs: "read", ok: 200, calls: () => [{ path: "/organizations/current", otherOrganization: own(200) }] },
  // Only the operator creates organisations: to any other organisation's admin it is a 403.
  "POST /organizations": { needs: "operator", ok: 201, calls: () => [{ path: "/organizations", body: { name: `org-${tag}` }, otherOrganization: own(403) }] },
  // Dead letters belong to no organisation: only the operator lists or replays them; to any other admin it is a 403.
  "GET /admin/dead-letters": { needs: "operator", ok: 200, calls: () => [{ path: "/admin/dead-letters", otherOrganization: own(403) }] },
  "POST /admin/dead-letters/replay": {
    needs: "operator",
    ok: 200,
    calls: () => [{ path: "/admin/dead-letters/replay", body: { code: "timeout" }, otherOrganization: own(403) }],
  },
  // The fixture holds no dead letter: the operator's replay of an unknown id is a 404.
  "POST /admin/dead-letters/:id/replay": { needs: "operator", ok: 404, calls: () => [{ path: "/admin/dead-letters/1/replay", otherOrganization: own(403) }] },
};

// Strings only organisation A's data holds: none of them is ever part of a request.
const secrets = {
  registryName: `iso-registry-${tag}`,
  registryHost: `iso-host-${tag}.example.com`,
  credentialName: `iso-credential-${tag}`,
  credentialUser: `iso-user-${tag}`,
  credentialPassword: `iso-password-${tag}`,
  spareCredentialName: `iso-spare-${tag}`,
  tokenName: `iso-token-${tag}`,
  subscriptionName: `iso-subscription-${tag}`,
  subscriptionPath: `iso-hook-${tag}`,
  chartDescription: `iso-description-${tag}`,
  readme: `iso-readme-${tag}`,
  values: `iso-values-${tag}`,
  schema: `iso-schema-${tag}`,
  archive: `iso-archive-${tag}`,
};

let env: ApiTestEnv;
let routed: ApiRoute[];
let routes: ApiRoute[];
let fixture: Fixture;
const tokens = { none: "", read: "", write: "", otherAdmin: "", revoked: "", expired: "" };

async function insertToken(organizationId: string, name: string, scopes: string[], extra = ""): Promise<string> {
  const value = `iso_${name.replace(/\W/g, "_")}_${randomBytes(12).toString("hex")}`;
  await env.sql.query(`INSERT INTO api_tokens (organization_id, name, token_hash, scopes${extra ? `, ${extra}` : ""}) VALUES ($1, $2, $3, $4${extra ? ", now()" : ""})`, [
    organizationId,
    name,
    hashToken(value),
    scopes,
  ]);
  return value;
}

async function expectCreated<T>(path: string, body: unknown): Promise<T> {
  const res = await env.call(`/api/v1${path}`, { method: "POST", json: body });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as T;
}

beforeAll(async () => {
  env = await startApiTestEnv();
  routed = listApiRoutes(
    buildApiRouter({ db: env.db, publisher: new Publisher(env.nats.jetstream()), archives: env.archives, log: createLogger("iso", { level: "silent" }), secretBox: null }),
  );
  routes = [...routed, ...documentedRoutes().filter((d) => !routed.some((r) => key(r) === key(d)))];
  tokens.none = await insertToken(env.orgA.id, "no scopes", []);
  tokens.read = await insertToken(env.orgA.id, "reader", ["read"]);
  tokens.write = await insertToken(env.orgA.id, "writer", ["write"]);
  tokens.revoked = await insertToken(env.orgA.id, "revoked", ["read", "write", "admin"], "revoked_at");
  tokens.expired = await insertToken(env.orgA.id, "expired", ["read", "write", "admin"], "expires_at");
  tokens.otherAdmin = `iso_b_${randomBytes(12).toString("hex")}`;
  await ensureApiToken(env.db, env.orgB.id, { name: "b admin", value: tokens.otherAdmin, scopes: ["read", "write", "admin"] });

  const credential = await expectCreated<{ id: string }>("/credentials", {
    name: secrets.credentialName,
    kind: "basic",
    username: secrets.credentialUser,
    password: secrets.credentialPassword,
  });
  const spare = await expectCreated<{ id: string }>("/credentials", { name: secrets.spareCredentialName, kind: "token", token: `${secrets.credentialPassword}-2` });
  const registry = await expectCreated<{ id: string }>("/registries", {
    name: secrets.registryName,
    url: `https://${secrets.registryHost}/charts`,
    credential_id: credential.id,
  });
  const token = await expectCreated<{ id: string }>("/tokens", { name: secrets.tokenName, scopes: ["read"] });
  const subscriptionBody = { url: `https://203.0.113.7/${secrets.subscriptionPath}`, events: ["version.ready"], registry_id: registry.id, chart: "iso-*" };
  const subscription = await expectCreated<{ id: string }>("/subscriptions", { ...subscriptionBody, name: secrets.subscriptionName });
  const spareSubscription = await expectCreated<{ id: string }>("/subscriptions", { ...subscriptionBody, name: `${secrets.subscriptionName}-2` });
  const receiver = await expectCreated<{ id: string }>("/receivers", { name: `recv-${tag}`, kind: "distribution", registry_id: registry.id });
  const spareReceiver = await expectCreated<{ id: string }>("/receivers", { name: `recv-spare-${tag}`, kind: "generic", registry_id: registry.id });

  const archive = new Uint8Array(Buffer.from(secrets.archive));
  const sha256 = createHash("sha256").update(archive).digest("hex");
  await env.archives.put(sha256, archive);
  const [chart] = await env.sql.query<{ id: string }>("INSERT INTO charts (registry_id, name, description, versions, latest_version) VALUES ($1, 'iso-app', $2, 1, '1.0.0') RETURNING id",
    [registry.id, secrets.chartDescription],
  );
  await env.sql.query(`INSERT INTO chart_versions (chart_id, registry_id, version, description, state, archive_sha256, size, readme, values_yaml, values_schema, urls)
     VALUES ($1, $2, '1.0.0', $3, 'ready', $4, $5, $6, $7, $8, $9)`,
    [chart!.id, registry.id, secrets.chartDescription, sha256, archive.byteLength, secrets.readme, `note: ${secrets.values}\n`,
      JSON.stringify({ title: secrets.schema }), [`https://${secrets.registryHost}/charts/iso-app-1.0.0.tgz`]],
  );
  fixture = {
    registryId: registry.id,
    credentialId: credential.id,
    spareCredentialId: spare.id,
    tokenId: token.id,
    subscriptionId: subscription.id,
    spareSubscriptionId: spareSubscription.id,
    receiverId: receiver.id,
    spareReceiverId: spareReceiver.id,
    chart: "iso-app",
    version: "1.0.0",
  };
}, 60_000);

afterAll(async () => {
  await env?.close();
});

const key = (route: ApiRoute): string => `${route.method} ${route.path}`;

/** The operations of the OpenAPI document under /api/v1 (the Helm repositories name their own server), with express's `:param` paths. */
function documentedRoutes(): ApiRoute[] {
  return Object.entries(openApiDocument.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => !("servers" in op))
      .map(([method]) => ({ method: method.toUpperCase(), path: path.replace(/\{(\w+)\}/g, ":$1") })),
  );
}

/** The problems with a response that must carry nothing of organisation A. */
async function leaks(res: Response): Promise<string[]> {
  const text = Buffer.from(await res.arrayBuffer()).toString("latin1");
  const found = Object.entries({ ...secrets, organizationId: env.orgA.id }).filter(([, value]) => text.includes(value));
  return found.map(([label]) => `body holds A's ${label}`);
}

async function send(route: ApiRoute, call: Call, token: string | null): Promise<Response> {
  const abort = new AbortController();
  const res = await env.call(`/api/v1${call.path}`, {
    method: route.method,
    token,
    signal: abort.signal,
    ...(call.body === undefined ? {} : { json: call.body }),
  });
  if (call.stream !== true || !res.ok || res.body === null) return res;
  // An event stream never ends: keep what arrives in the first half second.
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  const deadline = setTimeout(() => abort.abort(), 500);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
  } catch {
    // Aborted at the deadline.
  } finally {
    clearTimeout(deadline);
  }
  return new Response(Buffer.concat(chunks), { status: res.status, headers: res.headers });
}

/** Runs `check` on every call of every route that `select` keeps; returns every failure. */
async function everyCall(
  select: (entry: Entry) => boolean,
  check: (route: ApiRoute, entry: Entry, call: Call) => Promise<string[]>,
): Promise<string[]> {
  const failures: string[] = [];
  for (const route of routes) {
    const entry = table[key(route)];
    if (entry === undefined || !select(entry)) continue;
    for (const call of entry.calls(fixture)) {
      for (const problem of await check(route, entry, call)) failures.push(`${route.method} ${call.path}: ${problem}`);
    }
  }
  return failures;
}

async function expectStatus(res: Response, status: number, code?: string): Promise<string[]> {
  const problems: string[] = [];
  if (res.status !== status) problems.push(`answered ${res.status}, expected ${status}`);
  if (code !== undefined && res.status === status) {
    const body = (await res.clone().json()) as { code?: string };
    if (body.code !== code) problems.push(`code ${String(body.code)}, expected ${code}`);
  }
  return [...problems, ...(await leaks(res))];
}

describe("every route enforces organisation and scope", () => {
  it("the table names every route of the router and every operation of the OpenAPI document", () => {
    const all = routes.map(key);
    expect(routed.length).toBeGreaterThan(25);
    expect(all.filter((r) => !(r in table)), "routes missing from the isolation table").toEqual([]);
    expect(Object.keys(table).filter((r) => !all.includes(r)), "table entries that are neither routed nor documented").toEqual([]);
    const documented = documentedRoutes().map(key);
    expect(routed.map(key).filter((r) => !documented.includes(r)), "routes missing from the OpenAPI document").toEqual([]);
  });

  it("no token, an unknown, a revoked or an expired token: 401 on every route", async () => {
    const failures = await everyCall(
      (entry) => entry.needs !== "public",
      async (route, _entry, call) => {
        const problems: string[] = [];
        for (const [label, token] of [["none", null], ["unknown", "chp_unknown"], ["revoked", tokens.revoked], ["expired", tokens.expired]] as const) {
          problems.push(...(await expectStatus(await send(route, call, token), 401, "unauthorized")).map((p) => `${label} token ${p}`));
        }
        return problems;
      },
    );
    expect(failures).toEqual([]);
  });

  it("a token of the same organisation with too small a scope: 403 forbidden on every route", async () => {
    const smaller: Record<Exclude<Needs, "public">, string> = { read: tokens.none, write: tokens.read, admin: tokens.write, operator: tokens.write };
    const failures = await everyCall(
      (entry) => entry.needs !== "public",
      async (route, entry, call) => expectStatus(await send(route, call, smaller[entry.needs as Exclude<Needs, "public">]), 403, "forbidden"),
    );
    expect(failures).toEqual([]);
  });

  it("another organisation's admin token: 404 for the first's objects, its own data otherwise, never the first's data", async () => {
    const failures = await everyCall(
      () => true,
      async (route, _entry, call) =>
        call.otherOrganization === "not_found"
          ? expectStatus(await send(route, call, tokens.otherAdmin), 404, "not_found")
          : expectStatus(await send(route, call, tokens.otherAdmin), call.otherOrganization),
    );
    expect(failures).toEqual([]);
  });

  it("the owner's admin token succeeds on every route (so the refusals above are about the caller)", async () => {
    // After the refusals, every object is still there; deletions run last, the registry's at the very end.
    const order = (route: ApiRoute): number => (route.method !== "DELETE" ? 0 : route.path.startsWith("/registries") ? 2 : 1);
    const failures: string[] = [];
    for (const route of [...routes].sort((a, b) => order(a) - order(b))) {
      const entry = table[key(route)];
      if (entry === undefined) continue;
      for (const call of entry.calls(fixture)) {
        if (call.otherOrganization === 422) continue;
        const res = await send(route, call, entry.needs === "public" ? null : env.orgA.token);
        if (res.status !== entry.ok) failures.push(`${route.method} ${call.path}: answered ${res.status} ${await res.text()}`);
      }
    }
    expect(failures).toEqual([]);
    expect((await env.call(`/api/v1/registries/${fixture.registryId}`)).status).toBe(404);
  });
});
