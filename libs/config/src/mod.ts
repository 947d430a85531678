/** Environment settings: validated once at start, every problem reported together. */
export {
  booleanSetting,
  choiceSetting,
  integerSetting,
  loadConfig,
  optionalString,
  redactUrl,
  urlSetting,
} from "./env_schema.ts";
export { commonSettings, registryAccessSettings } from "./common_settings.ts";
