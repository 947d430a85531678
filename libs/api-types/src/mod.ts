/**
 * The JSON shapes of the REST API (shared/docs/api.md): what registry-api answers, what the
 * web UI and the tests read. Types only, so the browser bundle gets nothing from here.
 */
export type * from "./api_json.ts";
export type * from "./compare_json.ts";
export type * from "./subscription_json.ts";
