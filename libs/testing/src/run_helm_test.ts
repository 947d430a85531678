import { readdir } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { makeChart } from "./make_chart.ts";
import { startNginx } from "./nginx_server.ts";
import { makeHelmHome, runHelm } from "./run_helm.ts";
import { makeTempDir, removeTempDir } from "./temp_dir.ts";

describe("runHelm()", () => {
  it("throws with helm's stderr when helm fails", async () => {
    await expect(runHelm(["show", "chart", "/nonexistent/missing.tgz"])).rejects.toThrow(
      /exited with 1: Error: .*missing\.tgz/,
    );
  });

  it("keeps repositories between calls that share a home: helm repo add, update and pull from nginx", async () => {
    const repo = await makeTempDir("run-helm-repo");
    const home = await makeHelmHome();
    const downloads = await makeTempDir("run-helm-pull");
    const server = await startNginx({ root: repo });
    try {
      await makeChart(repo, { name: "gamma", version: "3.1.0" });
      await runHelm(["repo", "index", repo, "--url", server.url]);
      await runHelm(["repo", "add", "local", server.url], { home });
      expect(await runHelm(["repo", "list"], { home })).toMatch(/^local\s+http:\/\/127\.0\.0\.1:\d+\s*$/m);
      await runHelm(["repo", "update"], { home });
      await runHelm(["pull", "local/gamma", "--version", "3.1.0", "--destination", downloads], { home });
      expect(await readdir(downloads)).toEqual(["gamma-3.1.0.tgz"]);
      const paths = (await server.accessLog()).map((line) => `${line.method} ${line.path} ${line.status}`);
      expect(paths).toEqual(expect.arrayContaining(["GET /index.yaml 200", "GET /gamma-3.1.0.tgz 200"]));

      // A call without a home gets a fresh one, which knows no repositories.
      expect(await runHelm(["repo", "list"])).not.toContain("local");
    } finally {
      await server.stop();
      await Promise.all([repo, home, downloads].map((dir) => removeTempDir(dir)));
    }
  });
});
