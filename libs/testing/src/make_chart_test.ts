import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeChart } from "./make_chart.ts";
import { runCommand } from "./run_command.ts";
import { runHelm } from "./run_helm.ts";
import { makeTempDir, removeTempDir } from "./temp_dir.ts";

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir("make-chart-test");
});
afterAll(async () => {
  await removeTempDir(dir);
});

describe("makeChart()", () => {
  it("packages a chart with the given version, appVersion, readme, values and schema", async () => {
    const path = await makeChart(dir, {
      name: "demo",
      version: "1.2.3",
      appVersion: "2.0",
      readme: "# Demo\n",
      values: { replicaCount: 3 },
      schema: { type: "object", properties: { replicaCount: { type: "integer" } } },
    });
    expect(path).toBe(join(dir, "demo-1.2.3.tgz"));
    const chart = await runHelm(["show", "chart", path]);
    expect(chart).toMatch(/^version: 1\.2\.3$/m);
    expect(chart).toMatch(/^appVersion: "2\.0"$/m);
    expect((await runHelm(["show", "readme", path])).trim()).toBe("# Demo");
    expect(await runHelm(["show", "values", path])).toContain('"replicaCount": 3');
    const { stdout: listing } = await runCommand("tar", ["-tzf", path]);
    expect(listing.split("\n")).toEqual(expect.arrayContaining(["demo/values.schema.json", "demo/README.md"]));
  });

  it("keeps versions that are not strict semver, such as 1.0.0+build", async () => {
    const path = await makeChart(dir, { name: "build-meta", version: "1.0.0+build.7" });
    expect(await runHelm(["show", "chart", path])).toMatch(/^version: 1\.0\.0\+build\.7$/m);
  });

  it("lets helm repo index build an index.yaml of the packaged charts", async () => {
    const repo = await makeTempDir("make-chart-repo");
    try {
      await makeChart(repo, { name: "alpha", version: "0.1.0" });
      await makeChart(repo, { name: "alpha", version: "0.2.0" });
      await makeChart(repo, { name: "beta", version: "1.0.0" });
      await runHelm(["repo", "index", repo, "--url", "http://127.0.0.1:8080/charts"]);
      expect((await readdir(repo)).sort()).toEqual(["alpha-0.1.0.tgz", "alpha-0.2.0.tgz", "beta-1.0.0.tgz", "index.yaml"]);
      const index = await readFile(join(repo, "index.yaml"), "utf8");
      expect(index).toContain("http://127.0.0.1:8080/charts/alpha-0.2.0.tgz");
      expect(index).toContain("http://127.0.0.1:8080/charts/beta-1.0.0.tgz");
      expect(index.match(/digest: [0-9a-f]{64}/g)).toHaveLength(3);
    } finally {
      await removeTempDir(repo);
    }
  });
});
