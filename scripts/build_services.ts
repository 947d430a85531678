/** Bundles the named services (default: all) into apps/<service>/dist/main.js. */
import { buildServices, services, workspaceRoot, type ServiceName } from "@charthouse/stack";

const names = process.argv.slice(2) as ServiceName[];
const unknown = names.filter((n) => !services.some((s) => s.name === n));
if (unknown.length > 0) throw new Error(`Unknown services: ${unknown.join(", ")}`);
await buildServices(workspaceRoot, names.length > 0 ? names : undefined);
