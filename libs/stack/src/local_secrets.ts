import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";

/**
 * The credential key and the admin token of a local run, made once and kept in a git-ignored
 * folder so credentials stay readable and the token stays valid across restarts.
 */
export function localSecrets(folder: string): { secretKey: string; bootstrapToken: string } {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const read = (name: string, make: () => string): string => {
    const path = join(folder, name);
    if (existsSync(path)) return readFileSync(path, "utf8").trim();
    const value = make();
    writeFileSync(path, `${value}\n`, { mode: 0o600 });
    return value;
  };
  return {
    secretKey: read("secret_key", () => randomBytes(32).toString("base64")),
    bootstrapToken: read("bootstrap_token", () => `ch_${randomBytes(24).toString("base64url")}`),
  };
}
