import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { rejectionOf } from "@charthouse/testing";
import { pack } from "tar-stream";
import { readChartArchive } from "./read_chart_archive.ts";

/** One tar entry of a crafted archive: a file by default. */
interface CraftedEntry {
  name: string;
  body?: string | Uint8Array;
  type?: "file" | "directory" | "symlink" | "link" | "fifo";
  linkname?: string;
}

const MiB = 1024 * 1024;
const chartYaml = "apiVersion: v2\nname: demo\nversion: 0.10\nappVersion: 1.2\n";

/** Builds a .tgz in memory from the given entries, exactly as named (no path cleaning). */
async function craftArchive(entries: CraftedEntry[]): Promise<Uint8Array> {
  const tar = pack();
  for (const entry of entries) {
    const type = entry.type ?? "file";
    const header = { name: entry.name, type, ...(entry.linkname === undefined ? {} : { linkname: entry.linkname }) };
    if (type === "file") {
      tar.entry(header, entry.body ?? "");
    } else {
      tar.entry(header);
    }
  }
  tar.finalize();
  const chunks: Uint8Array[] = [];
  for await (const chunk of tar) chunks.push(chunk as Uint8Array);
  return gzipSync(Buffer.concat(chunks));
}


describe("readChartArchive() on crafted archives", () => {
  it("keeps Chart.yaml versions as written (0.10 is not 0.1)", async () => {
    const chart = await readChartArchive(await craftArchive([{ name: "demo/Chart.yaml", body: chartYaml }]));
    expect(chart.version).toBe("0.10");
    expect(chart.chartYaml["version"]).toBe("0.10");
    expect(chart.chartYaml["appVersion"]).toBe("1.2");
  });

  it("converts Windows backslash separators to folders, as Helm does", async () => {
    const archive = await craftArchive([
      { name: "demo\\Chart.yaml", body: chartYaml },
      { name: "demo\\README.md", body: "# Demo\n" },
      { name: "demo\\charts\\sub\\values.yaml", body: "sub: true\n" },
    ]);
    const chart = await readChartArchive(archive);
    expect(chart.chartName).toBe("demo");
    expect(chart.readme).toBe("# Demo\n");
    expect(chart.values).toBeNull();
  });

  it("takes only the top folder's README and values, never a subchart's or a doc folder's", async () => {
    const archive = await craftArchive([
      { name: "demo/charts/sub/README.md", body: "# Sub\n" },
      { name: "demo/charts/sub/Chart.yaml", body: "name: sub\nversion: 1.0.0\n" },
      { name: "demo/charts/sub/values.yaml", body: "sub: true\n" },
      { name: "demo/docs/README.md", body: "# Docs\n" },
      { name: "demo/Chart.yaml", body: chartYaml },
    ]);
    const chart = await readChartArchive(archive);
    expect(chart.chartName).toBe("demo");
    expect(chart.readme).toBeNull();
    expect(chart.values).toBeNull();
    expect(chart.files).toBe(5);
  });

  it("prefers README.txt over README, and ignores README.md.gotmpl and README-AWS.md", async () => {
    const archive = await craftArchive([
      { name: "demo/Chart.yaml", body: chartYaml },
      { name: "demo/README.md.gotmpl", body: "template" },
      { name: "demo/README-AWS.md", body: "aws" },
      { name: "demo/README", body: "plain" },
      { name: "demo/ReadMe.TXT", body: "text" },
    ]);
    expect((await readChartArchive(archive)).readme).toBe("text");
  });

  it("reads values.yml when there is no values.yaml", async () => {
    const archive = await craftArchive([
      { name: "demo/Chart.yaml", body: chartYaml },
      { name: "demo/values.yml", body: "a: 1\n" },
    ]);
    expect((await readChartArchive(archive)).values).toBe("a: 1\n");
  });

  it("reports an unparsable values.schema.json without failing the chart", async () => {
    const archive = await craftArchive([
      { name: "demo/Chart.yaml", body: chartYaml },
      { name: "demo/values.yaml", body: "a: 1\n" },
      { name: "demo/values.schema.json", body: '{"type": "object",' },
    ]);
    const chart = await readChartArchive(archive);
    expect(chart.valuesSchema).toBeNull();
    expect(chart.valuesSchemaError).toMatch(/^Cannot parse values\.schema\.json: /);
    expect(chart.values).toBe("a: 1\n");
  });

  it("reports a values.schema.json that is JSON but not an object", async () => {
    const archive = await craftArchive([
      { name: "demo/Chart.yaml", body: chartYaml },
      { name: "demo/values.schema.json", body: "[1, 2]" },
    ]);
    const chart = await readChartArchive(archive);
    expect(chart.valuesSchema).toBeNull();
    expect(chart.valuesSchemaError).toMatch(/not a JSON object/);
  });

  it("decodes an invalid UTF-8 README with replacement characters", async () => {
    const archive = await craftArchive([
      { name: "demo/Chart.yaml", body: chartYaml },
      { name: "demo/README.md", body: new Uint8Array([0x23, 0x20, 0xff, 0xfe, 0x41, 0x0a]) },
    ]);
    expect((await readChartArchive(archive)).readme).toBe("# \uFFFD\uFFFDA\n");
  });

  it.each([
    ["a parent-folder entry", [{ name: "demo/../etc/passwd", body: "root:x:0:0" }], /parent folder/],
    ["a top-level ../ entry", [{ name: "../etc/passwd", body: "root:x:0:0" }], /parent folder/],
    ["an absolute path", [{ name: "/etc/passwd", body: "root:x:0:0" }], /absolute path/],
    ["a drive letter path", [{ name: "C:\\Windows\\evil.txt", body: "x" }], /absolute path/],
    ["a symbolic link", [{ name: "demo/values.yaml", type: "symlink", linkname: "/etc/passwd" }], /symbolic link/],
    ["a hard link", [{ name: "demo/values.yaml", type: "link", linkname: "demo/Chart.yaml" }], /hard link/],
    ["a fifo", [{ name: "demo/pipe", type: "fifo" }], /fifo/],
    ["a second top folder", [{ name: "other/values.yaml", body: "a: 1\n" }], /more than one top folder/],
    ["a file outside any folder", [{ name: "values.yaml", body: "a: 1\n" }], /not inside the chart's folder/],
  ] satisfies [string, CraftedEntry[], RegExp][])("refuses %s as invalid_chart", async (_label, entries, message) => {
    const archive = await craftArchive([{ name: "demo/Chart.yaml", body: chartYaml }, ...entries]);
    const err = await rejectionOf(readChartArchive(archive));
    expect(err.code).toBe("invalid_chart");
    expect(err.message).toMatch(message);
  });

  it("refuses a Chart.yaml without version, or only inside a subchart", async () => {
    const noVersion = await craftArchive([{ name: "demo/Chart.yaml", body: "name: demo\n" }]);
    expect((await rejectionOf(readChartArchive(noVersion))).message).toMatch(/version is missing/);
    const onlySubchart = await craftArchive([{ name: "demo/charts/sub/Chart.yaml", body: chartYaml }]);
    expect((await rejectionOf(readChartArchive(onlySubchart))).message).toMatch(/no Chart\.yaml \(none in top folder "demo"\)/);
  });

  it("refuses bytes that are not gzip, and gzip that is not a tar", async () => {
    const notGzip = new TextEncoder().encode("<html>Not found</html>");
    expect(await rejectionOf(readChartArchive(notGzip))).toMatchObject({ code: "invalid_chart" });
    const notTar = gzipSync(new TextEncoder().encode("name: demo\nversion: 1.0.0\n".repeat(40)));
    const err = await rejectionOf(readChartArchive(notTar));
    expect(err.code).toBe("invalid_chart");
    expect(err.message).toMatch(/^Cannot read chart archive as tar: /);
  });

  it("refuses a truncated archive as invalid_chart", async () => {
    const archive = await craftArchive([
      { name: "demo/Chart.yaml", body: chartYaml },
      { name: "demo/values.yaml", body: new Uint8Array(64 * 1024).fill(0x61) },
    ]);
    const err = await rejectionOf(readChartArchive(archive.subarray(0, archive.byteLength - 20)));
    expect(err.code).toBe("invalid_chart");
  });

  it("stops a gzip bomb (200 MiB of zeros) early with too_large", async () => {
    // Gzip members may be concatenated: 200 copies of 1 MiB of zeros is a ~200 KB "archive".
    const member = gzipSync(new Uint8Array(MiB));
    const bomb = Buffer.concat(Array.from({ length: 200 }, () => member));
    const started = performance.now();
    const err = await rejectionOf(readChartArchive(bomb, { maxUnpackedBytes: MiB, maxFiles: 100 }));
    expect(err.code).toBe("too_large");
    expect(err.message).toMatch(/decompresses to more than .*CHARTHOUSE_MAX_UNPACKED_BYTES/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("stops when the files add up to more than maxUnpackedBytes", async () => {
    const files = Array.from({ length: 20 }, (_, i) => ({ name: `demo/blob-${i}`, body: new Uint8Array(MiB) }));
    const archive = await craftArchive([{ name: "demo/Chart.yaml", body: chartYaml }, ...files]);
    const err = await rejectionOf(readChartArchive(archive, { maxUnpackedBytes: 4 * MiB }));
    expect(err.code).toBe("too_large");
    expect(err.message).toMatch(/its files add up to .* bytes at "demo\/blob-3".*CHARTHOUSE_MAX_UNPACKED_BYTES/);
  });

  it("refuses a file over maxFileBytes, naming it and the setting", async () => {
    const archive = await craftArchive([
      { name: "demo/Chart.yaml", body: chartYaml },
      { name: "demo/files/huge.bin", body: new Uint8Array(6 * MiB) },
    ]);
    const err = await rejectionOf(readChartArchive(archive));
    expect(err.code).toBe("too_large");
    expect(err.message).toBe(
      'Cannot read chart archive: file "demo/files/huge.bin" is 6291456 bytes, over the limit of 5242880 bytes (CHARTHOUSE_MAX_FILE_BYTES)',
    );
    expect(err.solution).toBe("Raise CHARTHOUSE_MAX_FILE_BYTES if the content is legitimate");
  });

  it("refuses more files than maxFiles", async () => {
    const files = Array.from({ length: 5 }, (_, i) => ({ name: `demo/templates/t${i}.yaml`, body: "x" }));
    const archive = await craftArchive([{ name: "demo/Chart.yaml", body: chartYaml }, ...files]);
    const err = await rejectionOf(readChartArchive(archive, { maxFiles: 3 }));
    expect(err.code).toBe("too_large");
    expect(err.message).toContain("CHARTHOUSE_MAX_ARCHIVE_FILES");
  });

  it("refuses a Chart.yaml whose name holds a NUL (YAML \"\\0\") as invalid_chart", async () => {
    const archive = await craftArchive([{ name: "demo/Chart.yaml", body: 'apiVersion: v2\nname: "de\\0mo"\nversion: 1.0.0\n' }]);
    const err = await rejectionOf(readChartArchive(archive));
    expect(err.code).toBe("invalid_chart");
    expect(err.message).toMatch(/not a valid chart name/);
  });

  it("refuses a Chart.yaml whose version holds a NUL as invalid_chart", async () => {
    const archive = await craftArchive([{ name: "demo/Chart.yaml", body: 'apiVersion: v2\nname: demo\nversion: "1.0.0\\0"\n' }]);
    const err = await rejectionOf(readChartArchive(archive));
    expect(err.code).toBe("invalid_chart");
    expect(err.message).toMatch(/NUL/);
  });

  it("drops NUL and unpaired surrogates from Chart.yaml fields and keys, which go to jsonb", async () => {
    const archive = await craftArchive([
      {
        name: "demo/Chart.yaml",
        body: 'apiVersion: v2\nname: demo\nversion: 1.0.0\ndescription: "nul\\0here \\uD800lone"\nannotations:\n  "key\\0": "va\\0lue"\nkeywords: ["a\\0b"]\n',
      },
    ]);
    const contents = await readChartArchive(archive);
    expect(contents.chartYaml).toMatchObject({ description: "nulhere \uFFFDlone", annotations: { key: "value" }, keywords: ["ab"] });
    expect(JSON.stringify(contents.chartYaml)).not.toMatch(/\\u0000|\\ud800/);
  });

  it("drops raw NUL bytes from values.yaml and the README", async () => {
    const archive = await craftArchive([
      { name: "demo/Chart.yaml", body: chartYaml },
      { name: "demo/values.yaml", body: Buffer.from("replicas: 1\u0000\u0000\nimage: x\n") },
      { name: "demo/README.md", body: Buffer.concat([Buffer.from("# Demo"), Buffer.alloc(16), Buffer.from(" end")]) },
    ]);
    const contents = await readChartArchive(archive);
    expect(contents.values).toBe("replicas: 1\nimage: x\n");
    expect(contents.readme).toBe("# Demo end");
  });

  it("drops \\u0000 from values.schema.json, and from the error of a binary one", async () => {
    const schema = await readChartArchive(
      await craftArchive([
        { name: "demo/Chart.yaml", body: chartYaml },
        { name: "demo/values.schema.json", body: '{"type":"object","description":"x\\u0000y","properties":{"a\\u0000":{}}}' },
      ]),
    );
    expect(schema.valuesSchema).toEqual({ type: "object", description: "xy", properties: { a: {} } });
    const binary = await readChartArchive(
      await craftArchive([
        { name: "demo/Chart.yaml", body: chartYaml },
        { name: "demo/values.schema.json", body: Buffer.from([0x00, 0x7b, 0x00, 0xff]) },
      ]),
    );
    expect(binary.valuesSchema).toBeNull();
    expect(binary.valuesSchemaError).toMatch(/^Cannot parse values.schema.json/);
    expect(binary.valuesSchemaError).not.toContain("\u0000");
  });
});
