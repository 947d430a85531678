/** Environment settings: validated once at start, every problem reported together. */
export {
  booleanSetting,
  choiceSetting,
  integerSetting,
  loadConfig,
  optionalString,
  optionalUrlSetting,
  redactUrl,
  secretKeyListSetting,
  urlSetting,
} from "./env_schema.ts";
export { commonSettings, registryAccessSettings } from "./common_settings.ts";
export { ociClientLimits, ociSettings, ociSyncSettings } from "./oci_settings.ts";
