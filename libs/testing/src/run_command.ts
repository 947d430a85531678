import { execFile } from "node:child_process";

/** Options of {@link runCommand}. */
export interface RunCommandOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kills the command after this many milliseconds (default 120 000). */
  timeoutMs?: number;
}

/** What a command that exited 0 printed. */
export interface CommandOutput {
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; rejects with its exit status and stderr unless it exits 0. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<CommandOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 256 * 1024 * 1024,
        encoding: "utf8",
      },
      (err, stdout, stderr) => {
        if (err === null) {
          resolve({ stdout, stderr });
          return;
        }
        const how = err.killed ? `was killed (${err.signal ?? "timeout"})` : `exited with ${String(err.code)}`;
        const detail = stderr.trim() === "" ? stdout.trim() : stderr.trim();
        reject(
          new Error(`Command "${command} ${args.join(" ")}" ${how}${detail === "" ? "" : `: ${detail}`}`, {
            cause: err,
          }),
        );
      },
    );
  });
}
