import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdir, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The folder registry-api serves the web UI from. */
export function webUiDist(root: string): string {
  return join(root, "apps", "web", "dist");
}

/**
 * Builds the web UI (Vite) into apps/web/dist unless dist/index.html is newer than every source
 * file of apps/web; `force` builds anyway. Output goes to stderr; a failed build throws.
 */
export async function buildWebUi(root: string, options: { force?: boolean } = {}): Promise<"built" | "fresh"> {
  const app = join(root, "apps", "web");
  if (options.force !== true && (await isFresh(app))) return "fresh";
  const vite = join(dirname(createRequire(join(app, "package.json")).resolve("vite/package.json")), "bin", "vite.js");
  const child = spawn(process.execPath, [vite, "build", "--logLevel", "warn"], { cwd: app, stdio: ["ignore", "inherit", "inherit"] });
  const [code, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
  if (code !== 0) throw new Error(`Cannot build the web UI: vite build in ${app} exited with ${signal ?? code}`);
  return "built";
}

async function isFresh(app: string): Promise<boolean> {
  const built = await stat(join(app, "dist", "index.html")).catch(() => null);
  if (built === null) return false;
  const sources = [join(app, "index.html"), join(app, "vite.config.ts"), join(app, "package.json"), ...(await filesUnder(join(app, "src")))];
  for (const file of sources) {
    const s = await stat(file).catch(() => null);
    if (s !== null && s.mtimeMs > built.mtimeMs) return false;
  }
  return true;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}
