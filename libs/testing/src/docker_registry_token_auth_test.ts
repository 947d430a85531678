import { describe, expect, it } from "vitest";
import { startDockerRegistry } from "./docker_registry.ts";
import { startTokenServer } from "./token_server.ts";

describe("startDockerRegistry({ tokenAuth })", () => {
  it("sends clients to the token server and accepts the tokens it signs", async () => {
    const tokens = await startTokenServer({ users: { u: "p" } });
    const registry = await startDockerRegistry({ tokenAuth: tokens });
    try {
      const anonymous = await fetch(`${registry.url}/v2/_catalog`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get("www-authenticate")).toBe(
        `Bearer realm="${tokens.realm}",service="${tokens.service}",scope="registry:catalog:*"`,
      );
      const token = tokens.signToken({ sub: "u", access: [{ type: "registry", name: "catalog", actions: ["*"] }] });
      const authorized = await fetch(`${registry.url}/v2/_catalog`, { headers: { authorization: `Bearer ${token}` } });
      expect(authorized.status).toBe(200);
      const expired = tokens.signToken({ sub: "u", access: [{ type: "registry", name: "catalog", actions: ["*"] }], exp: Math.floor(Date.now() / 1000) - 600 });
      expect((await fetch(`${registry.url}/v2/_catalog`, { headers: { authorization: `Bearer ${expired}` } })).status).toBe(401);
    } finally {
      await registry.stop();
      await tokens.stop();
    }
  });
});
