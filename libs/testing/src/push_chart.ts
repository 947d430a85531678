import { helmBinary } from "./helm_install.ts";
import { runCommand } from "./run_command.ts";
import { helmEnvironment, makeHelmHome, runHelm } from "./run_helm.ts";
import { removeTempDir } from "./temp_dir.ts";
import type { BasicCredentials } from "./htpasswd.ts";

/** Options of {@link pushChart}. */
export interface PushChartOptions {
  /** Signs in with `helm registry login` first (htpasswd or token-auth registries). */
  login?: BasicCredentials;
  /** A helm home to use and keep (see makeHelmHome); default a fresh one, removed after the push. */
  home?: string;
}

/** What {@link pushChart} pushed. */
export interface PushedChart {
  /** `oci://HOST/NS/NAME:TAG` as helm printed it. */
  reference: string;
  /** The manifest digest helm printed (`sha256:...`). */
  digest: string;
}

/**
 * Pushes a packaged chart with the real helm: `helm push CHART.tgz oci://HOST/NAMESPACE --plain-http`,
 * after `helm registry login` when `login` is given. `target` is `HOST/NAMESPACE` (`127.0.0.1:5000/ns`).
 */
export async function pushChart(chartPath: string, target: string, options: PushChartOptions = {}): Promise<PushedChart> {
  const home = options.home ?? (await makeHelmHome());
  try {
    if (options.login !== undefined) {
      const host = target.split("/")[0] ?? target;
      await runHelm(
        ["registry", "login", host, "--username", options.login.username, "--password", options.login.password, "--plain-http"],
        { home },
      );
    }
    // helm v4 prints "Pushed: ..." and "Digest: ..." on stderr, which runHelm does not return.
    const { stdout, stderr } = await runCommand(await helmBinary(), ["push", chartPath, `oci://${target}`, "--plain-http"], {
      env: helmEnvironment(home),
    });
    const printed = `${stdout}\n${stderr}`;
    const pushed = /Pushed:\s*(\S+)/.exec(printed)?.[1];
    const digest = /Digest:\s*(sha256:[0-9a-f]{64})/.exec(printed)?.[1];
    if (pushed === undefined || digest === undefined) {
      throw new Error(`helm push ${chartPath} printed no reference or digest: ${printed.slice(0, 300)}`);
    }
    return { reference: `oci://${pushed}`, digest };
  } finally {
    if (options.home === undefined) await removeTempDir(home);
  }
}
