import { join } from "node:path";
import { build, type Plugin } from "esbuild";
import { services, type ServiceName } from "./services.ts";

/**
 * Leaves npm packages to node_modules and bundles the workspace's own TypeScript, so a service
 * runs as one plain JavaScript file: no TypeScript loader in the process.
 */
const bundleWorkspaceOnly: Plugin = {
  name: "bundle-workspace-only",
  setup(context) {
    context.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@charthouse/") ? undefined : { path: args.path, external: true },
    );
  },
};

/** The bundle a service runs from. */
export function serviceBundle(root: string, service: ServiceName): string {
  return join(root, "apps", service, "dist", "main.js");
}

/** Bundles every service (or the given ones) with esbuild into apps/<service>/dist/main.js. */
export async function buildServices(root: string, only?: readonly ServiceName[]): Promise<void> {
  await Promise.all(
    services
      .filter((s) => !only || only.includes(s.name))
      .map((s) =>
        build({
          entryPoints: [join(root, "apps", s.name, "src", "main.ts")],
          outfile: serviceBundle(root, s.name),
          bundle: true,
          platform: "node",
          format: "esm",
          target: "node20",
          sourcemap: "linked",
          logLevel: "warning",
          plugins: [bundleWorkspaceOnly],
        }),
      ),
  );
}
