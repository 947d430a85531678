/** Starts every Charthouse service as its own process: `npm start` and the whole-stack tests. */
export { services, type ServiceName } from "./services.ts";
export {
  describeStackEvent,
  startStack,
  workspaceRoot,
  type ServiceProcess,
  type Stack,
  type StackEvent,
  type StackOptions,
} from "./start_stack.ts";
export { defaultRestartPolicy, RestartBackoff, type RestartPolicy } from "./restart_backoff.ts";
export { superviseProcess, type SupervisedProcess, type SupervisedProcessOptions, type SupervisorEvent } from "./supervised_process.ts";
export { localSecrets } from "./local_secrets.ts";
export { buildServices } from "./build_services.ts";
export { buildWebUi, webUiDist } from "./build_web_ui.ts";
