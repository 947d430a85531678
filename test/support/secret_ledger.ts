// The secrets a whole-stack run uses, and everything it must never show them in: every
// service's output and every API response body the tests read. All of it goes to one folder per
// `vitest run` (made by secret_check_global_setup.ts), which is scanned once the run ends.
import { appendFileSync, mkdirSync } from "node:fs";
import { basename, join } from "node:path";
import { expect } from "vitest";

/** The environment variable that names the run's folder, set by the e2e global setup. */
export const runDirVariable = "CHARTHOUSE_E2E_RUN_DIR";

/** The sub-folders of a run's folder. */
export const ledgerFolders = { secrets: "secrets", logs: "logs", responses: "responses" } as const;

/** One secret a test uses, by a label that may be printed (the value never is). */
export interface LedgerSecret {
  label: string;
  value: string;
}

/**
 * The run's folder (made by the e2e global setup), or undefined outside an e2e run (a
 * benchmark starting Charthouse), where nothing is kept.
 */
export function runDir(): string | undefined {
  const dir = process.env[runDirVariable];
  if (dir === undefined) return undefined;
  for (const folder of Object.values(ledgerFolders)) mkdirSync(join(dir, folder), { recursive: true });
  return dir;
}

/** A file-name-safe name of the test file running now, so a finding says where it came from. */
export function currentTestFileName(): string {
  // Outside vitest (benchmarks) there is no test state to ask.
  const path = process.env[runDirVariable] === undefined ? undefined : expect.getState().testPath;
  return path === undefined ? `pid-${process.pid}` : basename(path).replace(/\.ts$/, "");
}

/** Adds a secret the run must never print or answer. Short values are refused: they would match by chance. */
export function recordSecret(label: string, value: string): void {
  if (value.length < 8) throw new Error(`The secret "${label}" is shorter than 8 characters: use a longer, distinctive value`);
  const dir = runDir();
  if (dir === undefined) return;
  appendFileSync(join(dir, ledgerFolders.secrets, `${process.pid}.jsonl`), `${JSON.stringify({ label, value } satisfies LedgerSecret)}\n`, { mode: 0o600 });
}

/** Keeps a chunk of one service process's output. */
export function recordServiceOutput(stackName: string, service: string, copy: number, chunk: Buffer): void {
  const dir = runDir();
  if (dir !== undefined) appendFileSync(join(dir, ledgerFolders.logs, `${stackName}.${service}.${copy}.log`), chunk);
}

// Fields of credential bodies (api.md, POST/PATCH /credentials) that hold secrets.
const secretFields = ["password", "token", "secret_access_key", "session_token", "client_secret"] as const;

/**
 * Keeps one API exchange a test made through the harness, and learns the secrets in it: the
 * secret fields of credentials sent, and the token values and webhook secrets the API shows once
 * (on POST /tokens, /organizations and /subscriptions). Those values are blanked in the kept body, since that answer is the one
 * place they belong; any other body that holds them is a leak.
 */
export function recordApiExchange(
  stackName: string,
  exchange: { method: string; path: string; requestBody: unknown; status: number; responseText: string },
): void {
  const where = `${exchange.method} ${exchange.path.split("?")[0]}`;
  if (/^\/credentials(\/|$)/.test(exchange.path) && isRecord(exchange.requestBody)) {
    for (const [label, value] of credentialSecrets(exchange.requestBody)) recordSecret(`${label} sent to ${where}`, value);
  }
  let text = exchange.responseText;
  if (exchange.method === "POST" && /^\/(tokens|organizations|subscriptions)$/.test(exchange.path) && exchange.status === 201) {
    const shown = exchange.path === "/subscriptions" ? shownSubscriptionSecret(text) : shownTokenValue(text);
    if (shown !== undefined) {
      recordSecret(`token made by ${where}`, shown);
      text = text.replaceAll(shown, "<shown once>");
    }
  }
  const dir = runDir();
  if (dir !== undefined) appendFileSync(join(dir, ledgerFolders.responses, `${stackName}.responses.log`), `${where} ${exchange.status}\n${text}\n`);
}

function credentialSecrets(body: Record<string, unknown>): [string, string][] {
  const found: [string, string][] = [];
  for (const field of secretFields) {
    const value = body[field];
    if (typeof value === "string" && value.length >= 8) found.push([`credential ${field}`, value]);
  }
  const user = body["username"];
  const password = body["password"];
  if (typeof user === "string" && typeof password === "string" && password.length >= 8) {
    // What travels to a registry: the Basic encoding.
    found.push(["credential user:password as Basic", Buffer.from(`${user}:${password}`).toString("base64")]);
  }
  const keyFile = typeof body["service_account_json"] === "string" ? parseJson(body["service_account_json"]) : body["service_account_json"];
  if (isRecord(keyFile) && typeof keyFile["private_key"] === "string") {
    // The key's base64 body lines: a PEM is logged, if ever, with its line breaks escaped.
    for (const line of keyFile["private_key"].split("\n").filter((l) => l.length >= 40 && !l.startsWith("-----")).slice(0, 3)) {
      found.push(["service account private key", line]);
    }
  }
  return found;
}

// A subscription's signing secret, shown once by POST /subscriptions (sent or made there).
function shownSubscriptionSecret(text: string): string | undefined {
  const body = parseJson(text);
  return isRecord(body) && typeof body["secret"] === "string" && body["secret"].length >= 8 ? body["secret"] : undefined;
}

function shownTokenValue(text: string): string | undefined {
  const body = parseJson(text);
  if (!isRecord(body)) return undefined;
  if (typeof body["token"] === "string") return body["token"];
  const nested = body["token"];
  return isRecord(nested) && typeof nested["token"] === "string" ? nested["token"] : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
