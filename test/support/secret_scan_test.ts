import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeTempDir, removeTempDir } from "@charthouse/testing";
import { ledgerFolders } from "./secret_ledger.ts";
import { scanRunForSecrets } from "./secret_scan.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await removeTempDir(dir);
});

/** A run folder of its own (never the real run's, whose scan must stay clean). */
async function plantedRun(secrets: Record<string, string>, files: Record<string, string>): Promise<string> {
  const dir = await makeTempDir("secret-scan-test");
  dirs.push(dir);
  for (const folder of Object.values(ledgerFolders)) await mkdir(join(dir, folder));
  const lines = Object.entries(secrets).map(([label, value]) => JSON.stringify({ label, value }));
  await writeFile(join(dir, ledgerFolders.secrets, "1.jsonl"), `${lines.join("\n")}\n`);
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  return dir;
}

describe("the end-of-run secret scan", () => {
  const password = "planted-Passw0rd/+=";
  const token = "chp_plantedTokenValue0123456789";

  it("names the file and the secret's label for a secret in a log line or a response body, never the value", async () => {
    const dir = await plantedRun(
      { "credential password": password, "bootstrap token": token, "unused secret": "never-written-anywhere" },
      {
        "logs/stack.registry-api.0.log": `{"level":30,"msg":"Request failed","body":{"password":"${password}"}}\n`,
        "logs/stack.index-fetcher.0.log": '{"level":30,"msg":"Sync finished"}\n',
        "responses/stack.responses.log": `GET /tokens 200\n{"items":[{"value":"${token}"}]}\n`,
      },
    );
    const scan = await scanRunForSecrets(dir);
    expect(scan.files).toBe(3);
    expect(scan.findings).toEqual([
      { file: "logs/stack.registry-api.0.log", label: "credential password" },
      { file: "responses/stack.responses.log", label: "bootstrap token" },
    ]);
    expect(JSON.stringify(scan)).not.toContain(password);
  });

  it("finds a secret JSON-escaped, in base64, base64url or URL-encoded", async () => {
    const forms = {
      "escaped.log": JSON.stringify({ msg: password }),
      "base64.log": `authorization: Basic ${Buffer.from(password).toString("base64")}`,
      "base64url.log": Buffer.from(password).toString("base64url"),
      "url.log": `GET /x?p=${encodeURIComponent(password)}`,
    };
    const files = Object.fromEntries(Object.entries(forms).map(([name, text]) => [`logs/${name}`, text]));
    const scan = await scanRunForSecrets(await plantedRun({ pw: password }, files));
    expect(scan.findings.map((f) => f.file).sort()).toEqual(Object.keys(files).sort());
  });

  it("finds nothing in clean output", async () => {
    const scan = await scanRunForSecrets(await plantedRun({ pw: password }, { "logs/a.log": '{"msg":"Chart version ready"}\n' }));
    expect(scan.findings).toEqual([]);
  });
});
