import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiTestEnv, type ApiTestEnv } from "./api_env_test_support.ts";

let env: ApiTestEnv;
let keyless: ApiTestEnv;
beforeAll(async () => {
  [env, keyless] = await Promise.all([startApiTestEnv(), startApiTestEnv({ secretKey: false })]);
}, 60_000);
afterAll(async () => {
  await Promise.all([env?.close(), keyless?.close()]);
});

const password = "s3cr3t-Passw0rd!";
const token = "ghp_TOKENVALUE1234567890";

async function createCredential(body: Record<string, unknown>, on: ApiTestEnv = env): Promise<Response> {
  return await on.call("/api/v1/credentials", { method: "POST", json: body });
}

describe("credentials", () => {
  it("stores basic and token credentials without ever answering their secrets", async () => {
    const basic = await createCredential({ name: "harbor", kind: "basic", username: "robot", password });
    expect(basic.status).toBe(201);
    const basicText = await basic.text();
    expect(basicText).not.toContain(password);
    const created = JSON.parse(basicText) as Record<string, unknown>;
    expect(created).toMatchObject({ name: "harbor", kind: "basic", username: "robot" });
    expect(Object.keys(created).sort()).toEqual(["created_at", "id", "kind", "name", "updated_at", "username"]);

    const tok = await createCredential({ name: "ghcr", kind: "token", token });
    expect(tok.status).toBe(201);
    expect(await tok.text()).not.toContain(token);

    const list = await (await env.call("/api/v1/credentials")).text();
    expect(list).not.toContain(password);
    expect(list).not.toContain(token);
    const one = await (await env.call(`/api/v1/credentials/${String(created["id"])}`)).text();
    expect(one).not.toContain(password);

    const stored = await env.sql.query<{ secret_ciphertext: string }>("SELECT secret_ciphertext FROM credentials");
    for (const row of stored) {
      expect(row.secret_ciphertext).not.toContain(password);
      expect(Buffer.from(row.secret_ciphertext, "base64").toString("latin1")).not.toContain(password);
    }
  });

  it("answers 422 naming the field for unknown kinds and incomplete secrets", async () => {
    let res = await createCredential({ name: "ssh", kind: "ssh_key", key: "x" });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain("kind");
    res = await createCredential({ name: "gcp", kind: "gcp_service_account", service_account_json: "{}" });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
      "service_account_json.client_email",
      "service_account_json.private_key",
    ]);
    res = await createCredential({ name: "half", kind: "basic", username: "u" });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain("password");
  });

  it("replaces secret fields on PATCH and keeps the others", async () => {
    const created = (await (await createCredential({ name: "nexus", kind: "basic", username: "ci", password })).json()) as { id: string };
    const before = await env.sql.query<{ secret_ciphertext: string }>("SELECT secret_ciphertext FROM credentials WHERE id = $1", [created.id]);
    const res = await env.call(`/api/v1/credentials/${created.id}`, { method: "PATCH", json: { password: "n3w-password" } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain("n3w-password");
    expect(JSON.parse(text)).toMatchObject({ username: "ci", name: "nexus" });
    const after = await env.sql.query<{ secret_ciphertext: string }>("SELECT secret_ciphertext FROM credentials WHERE id = $1", [created.id]);
    expect(after[0]?.secret_ciphertext).not.toBe(before[0]?.secret_ciphertext);
    const renamed = await env.call(`/api/v1/credentials/${created.id}`, { method: "PATCH", json: { name: "nexus-2", username: "ci2" } });
    expect(await renamed.json()).toMatchObject({ name: "nexus-2", username: "ci2" });
  });

  it("answers 409 on delete while a registry uses the credential, 204 after", async () => {
    const cred = (await (await createCredential({ name: "used", kind: "token", token })).json()) as { id: string };
    const reg = (await (
      await env.call("/api/v1/registries", { method: "POST", json: { name: "with-cred", url: "https://w.example.com", credential_id: cred.id } })
    ).json()) as { id: string; credential_id: string };
    expect(reg.credential_id).toBe(cred.id);
    const conflict = await env.call(`/api/v1/credentials/${cred.id}`, { method: "DELETE" });
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({ code: "conflict" });
    await env.call(`/api/v1/registries/${reg.id}`, { method: "PATCH", json: { credential_id: null } });
    expect((await env.call(`/api/v1/credentials/${cred.id}`, { method: "DELETE" })).status).toBe(204);
  });

  it("answers 409 for a duplicate name and 404 to another organisation", async () => {
    const cred = (await (await createCredential({ name: "mine", kind: "token", token })).json()) as { id: string };
    expect((await createCredential({ name: "mine", kind: "token", token })).status).toBe(409);
    const b = { token: env.orgB.token };
    for (const method of ["GET", "PATCH", "DELETE"] as const) {
      const res = await env.call(`/api/v1/credentials/${cred.id}`, { ...b, method, ...(method === "PATCH" ? { json: { name: "x" } } : {}) });
      expect(res.status).toBe(404);
    }
    const reg = await env.call("/api/v1/registries", { ...b, method: "POST", json: { name: "steal", url: "https://s.example.com", credential_id: cred.id } });
    expect(reg.status).toBe(422);
  });

  it("answers 503 unavailable when CHARTHOUSE_SECRET_KEY is not configured", async () => {
    const res = await createCredential({ name: "nokey", kind: "basic", username: "u", password }, keyless);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { code: string; detail: string };
    expect(body.code).toBe("unavailable");
    expect(body.detail).toContain("CHARTHOUSE_SECRET_KEY");
  });
});
