import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const serviceConfig = fileURLToPath(new URL("./service_config.ts", import.meta.url));

describe("loadServiceConfig()", () => {
  it("ends the process with one fatal line naming the bad field, and no stack trace", async () => {
    const script = `
      import { loadServiceConfig } from ${JSON.stringify(serviceConfig)};
      import { InputError } from "@charthouse/errors";
      loadServiceConfig("demo", () => {
        throw new InputError("Invalid configuration:\\n  DATABASE_URL: must use postgres:", { fields: [{ field: "DATABASE_URL", message: "must use postgres:" }] });
      });`;
    const failure = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { timeout: 30_000 }).then(
      () => null,
      (err: { code: number; stdout: string; stderr: string }) => err,
    );
    expect(failure?.code).toBe(1);
    const lines = failure!.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as { level: string; service: string; msg: string; fields: { field: string }[]; err: { code: string } };
    expect(line).toMatchObject({ level: "fatal", service: "demo", msg: "Invalid configuration, not starting", err: { code: "invalid_input" } });
    expect(line.fields.map((f) => f.field)).toEqual(["DATABASE_URL"]);
    expect(failure!.stderr).not.toMatch(/^\s+at /m);
  });

  it("returns the settings when they are valid", async () => {
    const { loadServiceConfig } = await import("./service_config.ts");
    expect(loadServiceConfig("demo", () => ({ PORT: 8080 }))).toEqual({ PORT: 8080 });
  });
});
