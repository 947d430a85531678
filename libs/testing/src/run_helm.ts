import { join } from "node:path";
import { helmBinary } from "./helm_install.ts";
import { runCommand } from "./run_command.ts";
import { makeTempDir, removeTempDir } from "./temp_dir.ts";

/** Options of {@link runHelm}. */
export interface RunHelmOptions {
  /** Working folder of the command. */
  cwd?: string;
  /**
   * Folder that holds HELM_CACHE_HOME, HELM_CONFIG_HOME and HELM_DATA_HOME, so that calls can
   * share repositories and registry logins (make one with {@link makeHelmHome}). Default: a new
   * temporary folder for this call alone, removed after it.
   */
  home?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Kills helm after this many milliseconds (default 120 000). */
  timeoutMs?: number;
}

/** Creates a new temporary folder to use as a helm home (see {@link RunHelmOptions.home}). */
export function makeHelmHome(): Promise<string> {
  return makeTempDir("helm-home");
}

/** The environment helm runs with when its homes are under `home`. */
export function helmEnvironment(home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HELM_CACHE_HOME: join(home, "cache"),
    HELM_CONFIG_HOME: join(home, "config"),
    HELM_DATA_HOME: join(home, "data"),
  };
}

/** Runs the real helm CLI with its homes in a temporary folder; returns stdout, throws with stderr. */
export async function runHelm(args: readonly string[], options: RunHelmOptions = {}): Promise<string> {
  const binary = await helmBinary();
  const home = options.home ?? (await makeHelmHome());
  try {
    const commandOptions = {
      env: { ...helmEnvironment(home), ...options.env },
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    };
    const { stdout } = await runCommand(binary, args, commandOptions);
    return stdout;
  } finally {
    if (options.home === undefined) await removeTempDir(home);
  }
}
