import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { ledgerFolders, type LedgerSecret } from "./secret_ledger.ts";

/** A secret found where it must not be: the file and the secret's label, never its value. */
export interface SecretFinding {
  file: string;
  label: string;
}

/** What a scan looked at and what it found. */
export interface SecretScan {
  secrets: number;
  files: number;
  findings: SecretFinding[];
}

/**
 * Looks for every recorded secret in every kept log and response body of a run's folder, as
 * written and in the forms a careless log line would carry it: JSON-escaped, base64, base64url
 * and URL-encoded.
 */
export async function scanRunForSecrets(runDir: string): Promise<SecretScan> {
  const secrets = await readSecrets(join(runDir, ledgerFolders.secrets));
  const files = [...(await filesIn(join(runDir, ledgerFolders.logs))), ...(await filesIn(join(runDir, ledgerFolders.responses)))];
  const findings: SecretFinding[] = [];
  for (const file of files) {
    const text = await readFile(file, "latin1");
    const utf8 = Buffer.from(text, "latin1").toString("utf8");
    for (const secret of secrets) {
      if (formsOf(secret.value).some((form) => text.includes(form) || utf8.includes(form))) {
        findings.push({ file: relative(runDir, file), label: secret.label });
      }
    }
  }
  return { secrets: secrets.length, files: files.length, findings };
}

/** The forms of a value to look for. */
export function formsOf(value: string): string[] {
  const forms = new Set([
    value,
    JSON.stringify(value).slice(1, -1),
    Buffer.from(value).toString("base64").replace(/=+$/, ""),
    Buffer.from(value).toString("base64url"),
    encodeURIComponent(value),
  ]);
  return [...forms].filter((form) => form.length >= 8);
}

async function readSecrets(dir: string): Promise<LedgerSecret[]> {
  const byValue = new Map<string, LedgerSecret>();
  for (const file of await filesIn(dir)) {
    for (const line of (await readFile(file, "utf8")).split("\n")) {
      if (line.trim() === "") continue;
      const parsed = JSON.parse(line) as Partial<LedgerSecret>;
      if (typeof parsed.label !== "string" || typeof parsed.value !== "string") throw new Error(`A line of ${file} is not a recorded secret`);
      if (!byValue.has(parsed.value)) byValue.set(parsed.value, { label: parsed.label, value: parsed.value });
    }
  }
  return [...byValue.values()];
}

async function filesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(dir, e.name)).sort();
}
