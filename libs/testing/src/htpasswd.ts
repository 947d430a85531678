import { runCommand } from "./run_command.ts";

/** A user name and password for basic auth. */
export interface BasicCredentials {
  username: string;
  password: string;
}

/**
 * Makes one htpasswd line with apache2-utils' `htpasswd`: bcrypt (docker-registry accepts only
 * bcrypt) or apr1 MD5 (what nginx reads natively).
 */
export async function htpasswdLine(
  credentials: BasicCredentials,
  options: { hash: "bcrypt" | "apr1" },
): Promise<string> {
  const flags = options.hash === "bcrypt" ? "-nbB" : "-nbm";
  const { stdout } = await runCommand("htpasswd", [flags, credentials.username, credentials.password]);
  const line = stdout.trim();
  if (!line.startsWith(`${credentials.username}:`)) {
    throw new Error(`htpasswd printed no entry for "${credentials.username}": ${line.slice(0, 100)}`);
  }
  return `${line}\n`;
}
