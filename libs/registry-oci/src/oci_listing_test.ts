import { afterAll, describe, expect, it } from "vitest";
import type { RegistryLogin, RegistryLogins, SealedCredentialRow } from "@charthouse/credentials";
import { closeRegistryAgents, createHostBreakers } from "@charthouse/outbound-http";
import { rejectionOf, startDockerHubListingServer, startHarborApiServer } from "@charthouse/testing";
import { createOciClient } from "./oci_client.ts";
import { parseOciReference } from "./oci_reference.ts";

const breakers = createHostBreakers();
const request = { timeoutMs: 10_000, bodyTimeoutMs: 10_000, blockPrivateNetworks: false };

function logins(table: Record<string, RegistryLogin> = {}): RegistryLogins {
  return {
    async login(credential) {
      return credential === null ? null : (table[credential.id] ?? null);
    },
    forget() {},
  };
}

function credential(id: string): SealedCredentialRow {
  return { id, kind: "basic", keyId: "k", ciphertext: `sealed-${id}` };
}

afterAll(async () => {
  breakers.close();
  await closeRegistryAgents();
});

describe("listRepositories() on Docker Hub", () => {
  it("pages Docker Hub's namespace listing and keeps the repositories whose content_types include helm", async () => {
    const repositories = Array.from({ length: 130 }, (_, i) => ({
      name: `chart-${String(i).padStart(3, "0")}`,
      contentTypes: i % 10 === 0 ? ["image"] : ["helm"],
    }));
    const hub = await startDockerHubListingServer({ namespaces: { bitnamicharts: [...repositories, { name: "untyped" }] } });
    try {
      const client = createOciClient({ access: { breakers, logins: logins(), request }, dockerHubApiBase: hub.url });
      const session = client.session(parseOciReference("oci://registry-1.docker.io/bitnamicharts"), null);
      const listing = await session.listRepositories("bitnamicharts");
      expect(listing.via).toBe("docker_hub");
      expect(listing.repositories).toHaveLength(130 - 13 + 1);
      expect(listing.repositories).toContain("bitnamicharts/chart-001");
      expect(listing.repositories).toContain("bitnamicharts/untyped");
      expect(listing.repositories).not.toContain("bitnamicharts/chart-010");
      expect(hub.requests.map((r) => r.path)).toEqual([
        "/v2/namespaces/bitnamicharts/repositories?page_size=100",
        "/v2/namespaces/bitnamicharts/repositories?page=2&page_size=100",
      ]);
    } finally {
      await hub.stop();
    }
  });

  it("falls back to the older /v2/repositories/{namespace}/ and reports an unknown namespace", async () => {
    const hub = await startDockerHubListingServer({ namespaces: { old: [{ name: "one", contentTypes: ["helm"] }] }, withoutNamespacesEndpoint: true });
    try {
      const client = createOciClient({ access: { breakers, logins: logins(), request }, dockerHubApiBase: hub.url });
      const session = client.session(parseOciReference("oci://docker.io/old"), null);
      expect(await session.listRepositories("old")).toEqual({ repositories: ["old/one"], via: "docker_hub" });
      expect((await rejectionOf(session.listRepositories("nobody"))).code).toBe("not_found");
      expect((await rejectionOf(session.listRepositories(""))).code).toBe("listing_unavailable");
    } finally {
      await hub.stop();
    }
  });
});

describe("listRepositories() on Harbor", () => {
  const projectRepositories = Array.from({ length: 150 }, (_, i) => `chart-${String(i).padStart(3, "0")}`);

  it("recognises Harbor and pages its project repositories API by Link", async () => {
    const harbor = await startHarborApiServer({ projects: { library: { public: true, repositories: [...projectRepositories, "team/nested"] } } });
    try {
      const client = createOciClient({ access: { breakers, logins: logins(), request } });
      const session = client.session(parseOciReference(`oci://${new URL(harbor.url).host}/library`), null);
      const listing = await session.listRepositories("library");
      expect(listing.via).toBe("harbor");
      expect(listing.repositories).toHaveLength(151);
      expect(listing.repositories[0]).toBe("library/chart-000");
      expect(await session.listRepositories("library/team")).toEqual({ repositories: ["library/team/nested"], via: "harbor" });
      expect(harbor.requests.filter((r) => r.path.startsWith("/api/v2.0/systeminfo"))).toHaveLength(1);
      expect(harbor.requests.some((r) => r.path === "/api/v2.0/projects/library/repositories?page=2&page_size=100")).toBe(true);
    } finally {
      await harbor.stop();
    }
  });

  it("pages by X-Total-Count without Link, and signs in to private projects with Basic", async () => {
    const harbor = await startHarborApiServer({
      projects: { private: { public: false, repositories: projectRepositories, members: ["robot"] } },
      users: [{ username: "robot", password: "robot-pw" }],
      withoutLink: true,
    });
    try {
      const client = createOciClient({ access: { breakers, logins: logins({ c: { type: "basic", username: "robot", password: "robot-pw", expiresAt: null } }), request } });
      const reference = parseOciReference(`oci://${new URL(harbor.url).host}/private`);
      const anonymous = await rejectionOf(client.session(reference, null).listRepositories("private"));
      expect(anonymous.code).toBe("unauthorized");
      const listing = await client.session(reference, credential("c")).listRepositories("private");
      expect(listing).toMatchObject({ via: "harbor" });
      expect(listing.repositories).toHaveLength(150);
      const projectCalls = harbor.requests.filter((r) => r.path.startsWith("/api/v2.0/projects/"));
      expect(projectCalls.at(-1)?.headers.authorization).toMatch(/^Basic /);
      expect((await rejectionOf(client.session(reference, credential("c")).listRepositories("missing"))).code).toBe("not_found");
    } finally {
      await harbor.stop();
    }
  });
});
