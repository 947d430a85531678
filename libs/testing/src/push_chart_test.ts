import { describe, expect, it } from "vitest";
import { startDockerRegistry } from "./docker_registry.ts";
import { makeChart } from "./make_chart.ts";
import { pushChart } from "./push_chart.ts";
import { makeTempDir, removeTempDir } from "./temp_dir.ts";

describe("pushChart()", () => {
  it("pushes with helm, +build as an _ tag, and signs in first when asked", async () => {
    const login = { username: "pusher", password: "pw" };
    const registry = await startDockerRegistry({ htpasswd: login });
    const dir = await makeTempDir("push-chart");
    try {
      const archive = await makeChart(dir, { name: "pushed", version: "1.0.0+build.1" });
      await expect(pushChart(archive, `${registry.host}/ns`)).rejects.toThrow(/helm|401|unauthorized/i);
      const pushed = await pushChart(archive, `${registry.host}/ns`, { login });
      expect(pushed.reference).toBe(`oci://${registry.host}/ns/pushed:1.0.0_build.1`);
      expect(pushed.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      const tags = await fetch(`${registry.url}/v2/ns/pushed/tags/list`, {
        headers: { authorization: `Basic ${Buffer.from("pusher:pw").toString("base64")}` },
      });
      expect(await tags.json()).toEqual({ name: "ns/pushed", tags: ["1.0.0_build.1"] });
    } finally {
      await registry.stop();
      await removeTempDir(dir);
    }
  });
});
