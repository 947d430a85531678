/** Starts every Charthouse service as its own process: `npm start` and the whole-stack tests. */
export { services, type ServiceName } from "./services.ts";
export { startStack, workspaceRoot, type ServiceProcess, type Stack, type StackOptions } from "./start_stack.ts";
export { localSecrets } from "./local_secrets.ts";
export { buildServices } from "./build_services.ts";
export { buildWebUi, webUiDist } from "./build_web_ui.ts";
