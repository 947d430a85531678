import { describe, expect, it } from "vitest";
import { startDockerRegistry } from "./docker_registry.ts";
import { tcpAccepts } from "./tcp_probe.ts";

describe("startDockerRegistry()", () => {
  it("answers /v2/ with 200 and stops", async () => {
    const registry = await startDockerRegistry();
    expect(registry.host).toBe(`127.0.0.1:${registry.port}`);
    const response = await fetch(`${registry.url}/v2/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("docker-distribution-api-version")).toBe("registry/2.0");
    await registry.stop();
    expect(await tcpAccepts(registry.port)).toBe(false);
  });

  it("with htpasswd answers 401 without credentials and 200 with them", async () => {
    const registry = await startDockerRegistry({ htpasswd: { username: "pusher", password: "pw" } });
    try {
      const anonymous = await fetch(`${registry.url}/v2/`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get("www-authenticate")).toMatch(/^Basic realm="charthouse-test"/);
      const authorized = await fetch(`${registry.url}/v2/`, {
        headers: { authorization: `Basic ${Buffer.from("pusher:pw").toString("base64")}` },
      });
      expect(authorized.status).toBe(200);
    } finally {
      await registry.stop();
    }
  });
});
