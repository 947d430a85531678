import { describe, expect, it } from "vitest";
import { startDockerHubListingServer } from "./docker_hub_listing_server.ts";
import { startHarborApiServer } from "./harbor_api_server.ts";

describe("startDockerHubListingServer()", () => {
  it("answers Docker Hub's documented page shape with absolute next and previous links", async () => {
    const hub = await startDockerHubListingServer({ namespaces: { ns: [{ name: "a", contentTypes: ["helm"] }, { name: "b" }, { name: "c", isPrivate: true }] } });
    try {
      const first = (await (await fetch(`${hub.url}/v2/namespaces/ns/repositories?page_size=1`)).json()) as Record<string, unknown>;
      expect(first).toMatchObject({ count: 2, next: `${hub.url}/v2/namespaces/ns/repositories?page=2&page_size=1`, previous: null });
      expect(first.results).toEqual([expect.objectContaining({ name: "a", namespace: "ns", repository_type: "image", content_types: ["helm"] })]);
      const second = (await (await fetch(String(first.next))).json()) as { results: Record<string, unknown>[]; next: unknown };
      expect(second.next).toBeNull();
      expect(second.results[0]).not.toHaveProperty("content_types");
      expect((await fetch(`${hub.url}/v2/namespaces/none/repositories`)).status).toBe(404);
      expect((await fetch(`${hub.url}/v2/namespaces/ns/repositories?page_size=1001`)).status).toBe(400);
    } finally {
      await hub.stop();
    }
  });
});

describe("startHarborApiServer()", () => {
  it("answers systeminfo and pages project repositories with X-Total-Count and a relative Link", async () => {
    const harbor = await startHarborApiServer({
      projects: { lib: { public: true, repositories: ["a", "b", "c"] }, priv: { public: false, repositories: ["x"], members: ["m"] } },
      users: [{ username: "m", password: "pw" }],
    });
    try {
      expect(await (await fetch(`${harbor.url}/api/v2.0/systeminfo`)).json()).toMatchObject({ auth_mode: "db_auth", harbor_version: "" });
      const page = await fetch(`${harbor.url}/api/v2.0/projects/lib/repositories?page=2&page_size=1`);
      expect(page.headers.get("x-total-count")).toBe("3");
      expect(page.headers.get("link")).toBe(
        '</api/v2.0/projects/lib/repositories?page=1&page_size=1>; rel="prev" , </api/v2.0/projects/lib/repositories?page=3&page_size=1>; rel="next"',
      );
      expect(await page.json()).toEqual([expect.objectContaining({ name: "lib/b", project_id: 1 })]);
      expect((await fetch(`${harbor.url}/api/v2.0/projects/priv/repositories`)).status).toBe(401);
      const member = await fetch(`${harbor.url}/api/v2.0/projects/priv/repositories`, {
        headers: { authorization: `Basic ${Buffer.from("m:pw").toString("base64")}` },
      });
      expect(await member.json()).toEqual([expect.objectContaining({ name: "priv/x" })]);
      expect(await (await fetch(`${harbor.url}/api/v2.0/projects/none/repositories`)).json()).toEqual({
        errors: [{ code: "NOT_FOUND", message: "project none not found" }],
      });
    } finally {
      await harbor.stop();
    }
  });
});
