// The e2e run's global setup: one folder for the whole run where every test file records the
// secrets it uses, every service's output and the API bodies it reads; when the run ends, a
// scan of that folder fails the run if any secret shows anywhere, naming the file and the
// secret's label (never the secret).
import { makeTempDir, removeTempDir } from "@charthouse/testing";
import { runDirVariable } from "./secret_ledger.ts";
import { scanRunForSecrets } from "./secret_scan.ts";

let dir: string | undefined;

/** Makes the run's folder and hands it to every test file through the environment. */
export async function setup(): Promise<void> {
  dir = await makeTempDir("e2e-run");
  process.env[runDirVariable] = dir;
}

/**
 * Scans the run. vitest only logs an error thrown here, so a leak sets the exit code instead;
 * the folder is kept then, for a look at the file named.
 */
export async function teardown(): Promise<void> {
  if (dir === undefined) return;
  const scan = await scanRunForSecrets(dir);
  if (scan.findings.length === 0) {
    process.stderr.write(`No secret in any log or response body: ${scan.secrets} secrets, ${scan.files} files scanned.\n`);
    await removeTempDir(dir);
    return;
  }
  const lines = scan.findings.map((f) => `  ${f.file}: holds the ${f.label}`);
  process.stderr.write(`\nFAIL secrets leaked into logs or response bodies (kept in ${dir}):\n${lines.join("\n")}\n`);
  process.exitCode = 1;
}
