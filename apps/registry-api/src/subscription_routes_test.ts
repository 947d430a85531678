import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiTestEnv, type ApiTestEnv } from "./api_env_test_support.ts";

let env: ApiTestEnv;

beforeAll(async () => {
  env = await startApiTestEnv();
}, 60_000);

afterAll(async () => {
  await env?.close();
});

async function create(body: unknown): Promise<Response> {
  return await env.call("/api/v1/subscriptions", { method: "POST", json: body });
}

const valid = { name: "team", url: "https://203.0.113.7/hook", events: ["version.ready"], chart: "web*", version_range: "^2" };

describe("subscriptions", () => {
  it("shows the secret in the creation answer only, and stores it sealed", async () => {
    const res = await create({ ...valid, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Record<string, unknown>;
    expect(created).toMatchObject({ ...valid, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", include_prereleases: false, format: "cloudevents" });
    const again = await (await env.call(`/api/v1/subscriptions/${String(created["id"])}`)).text();
    const list = await (await env.call("/api/v1/subscriptions")).text();
    for (const text of [again, list]) expect(text).not.toContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    const [stored] = await env.sql.query<{ secret_ciphertext: string }>("SELECT secret_ciphertext FROM subscriptions WHERE id = $1", [created["id"]]);
    expect(stored?.secret_ciphertext).not.toContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  });

  it("makes a whsec_ secret when none is given", async () => {
    const created = (await (await create({ ...valid, name: "made" })).json()) as { secret: string };
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  });

  it("refuses an unknown field, a bad range, an unknown event and a short secret, naming each field", async () => {
    const cases: [unknown, string][] = [
      [{ ...valid, colour: "red" }, "colour"],
      [{ ...valid, version_range: "two" }, "version_range"],
      [{ ...valid, events: ["version.exploded"] }, "events.0"],
      [{ ...valid, secret: "short" }, "secret"],
      [{ ...valid, url: "ftp://example.com/x" }, "url"],
    ];
    for (const [body, field] of cases) {
      const res = await create(body);
      expect(res.status).toBe(422);
      const problem = (await res.json()) as { errors: { field: string }[] };
      expect(problem.errors.map((e) => e.field)).toContain(field);
    }
  });

  it("refuses a webhook target on the cloud metadata address with forbidden_destination", async () => {
    for (const url of ["http://169.254.169.254/latest/meta-data", "http://[::ffff:169.254.169.254]/", "http://metadata.google.internal/"]) {
      const res = await create({ ...valid, url });
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ code: "forbidden_destination", errors: [{ field: "url" }] });
    }
  });

  it("queues a test event as a pending delivery and lists it", async () => {
    const created = (await (await create({ ...valid, name: "tested" })).json()) as { id: string };
    const res = await env.call(`/api/v1/subscriptions/${created.id}/test`, { method: "POST" });
    expect(res.status).toBe(202);
    const delivery = (await res.json()) as { id: string };
    expect(delivery).toMatchObject({ event_type: "test", status: "pending", attempts: 0 });
    const page = (await (await env.call(`/api/v1/subscriptions/${created.id}/deliveries`)).json()) as { items: { id: string }[] };
    expect(page.items.map((d) => d.id)).toEqual([delivery.id]);
    expect((await env.call(`/api/v1/subscriptions/${created.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await env.call(`/api/v1/subscriptions/${created.id}/deliveries`)).status).toBe(404);
  });
});
