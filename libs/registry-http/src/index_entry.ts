// One raw index entry -> one compact record: strings capped, repeated strings pooled, kept
// strings detached from the parsed text so they do not keep the whole document alive.
import { storableText } from "@charthouse/errors";
import type { IndexChartVersion, IndexDependency, IndexVersionMetadata } from "./index_model.ts";

const DESCRIPTION_MAX = 4096;
const METADATA_MAX = 16_384;
const METADATA_STRING_MAX = 2048;
const LIST_MAX = 100;

/** Why a chart name cannot be stored (Helm refuses it too), or null when it is fine. */
export function chartNameProblem(name: string): string | null {
  if (name === "") return "has an empty chart name";
  if (name.includes("/") || name.includes("\\") || name.includes("..")) return `has an invalid chart name ${JSON.stringify(name)}`;
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (/[\u0000-\u001f\u007f]/.test(name)) return `has an invalid chart name ${JSON.stringify(name)}`;
  return null;
}

/** One index entry as a compact record, or the reason (after its path) why it is skipped. */
export function compactVersion(raw: unknown, chart: string, pool: StringPool): IndexChartVersion | string {
  if (!isRecord(raw)) return " is not a map";
  const version = raw["version"];
  if (version === undefined) return ".version is missing";
  if (isRecord(version) || Array.isArray(version)) return ".version is not a string";
  const versionText = scalar(version);
  if (versionText === null) return ".version is empty";
  // Postgres cannot store a NUL, and a version is a name: it is refused, not cleaned.
  if (versionText.includes("\u0000")) return ".version contains a NUL character";
  const name = scalar(raw["name"]);
  if (name === null) return ".name is empty";
  if (name !== chart) return `.name ${JSON.stringify(name)} does not match the chart name ${JSON.stringify(chart)}`;
  let digest = scalar(raw["digest"]);
  if (digest !== null) {
    const hex = digest.replace(/^sha256:/i, "").toLowerCase();
    if (!/^[0-9a-f]{1,128}$/.test(hex)) return `.digest ${JSON.stringify(digest.slice(0, 80))} is not a hex sha256 digest`;
    digest = hex;
  }
  const description = scalar(raw["description"]);
  return {
    name: pool.keep(name),
    version: pool.keep(versionText),
    appVersion: pool.text(raw["appVersion"]),
    description: description === null ? null : pool.keep(capString(description, DESCRIPTION_MAX)),
    icon: pool.text(raw["icon"]),
    home: pool.text(raw["home"]),
    keywords: pool.list(raw["keywords"]),
    created: pool.text(raw["created"]),
    digest: digest === null ? null : pool.keep(digest),
    urls: pool.list(raw["urls"]),
    deprecated: isTrue(raw["deprecated"]),
    apiVersion: pool.text(raw["apiVersion"]) ?? "v1",
    type: pool.text(raw["type"]),
    kubeVersion: pool.text(raw["kubeVersion"]),
    metadata: compactMetadata(raw, pool),
  };
}

/** The UI's extra fields, each string capped, the whole object kept under METADATA_MAX. */
function compactMetadata(raw: Record<string, unknown>, pool: StringPool): IndexVersionMetadata {
  const meta: IndexVersionMetadata = {};
  let budget = METADATA_MAX;
  let truncated = false;
  const take = (text: string): string | null => {
    const capped = capString(text, METADATA_STRING_MAX);
    if (capped.length !== text.length) truncated = true;
    if (capped.length + 8 > budget) {
      truncated = true;
      return null;
    }
    budget -= capped.length + 8;
    return pool.keep(capped);
  };
  const rawMaintainers = raw["maintainers"];
  if (Array.isArray(rawMaintainers)) {
    const maintainers: NonNullable<IndexVersionMetadata["maintainers"]> = [];
    for (const m of rawMaintainers.slice(0, LIST_MAX)) {
      if (!isRecord(m)) continue;
      const name = scalar(m["name"]);
      const email = scalar(m["email"]);
      const url = scalar(m["url"]);
      const kept = { name: name === null ? "" : (take(name) ?? "") } as { name: string; email?: string; url?: string };
      if (email !== null) setIfKept(kept, "email", take(email));
      if (url !== null) setIfKept(kept, "url", take(url));
      if (kept.name !== "" || kept.email !== undefined || kept.url !== undefined) maintainers.push(kept);
    }
    if (maintainers.length > 0) meta.maintainers = maintainers.slice();
  }
  const sources = stringList(raw["sources"]).flatMap((s) => take(s) ?? []);
  if (sources.length > 0) meta.sources = sources.slice();
  const rawDependencies = raw["dependencies"];
  if (Array.isArray(rawDependencies)) {
    const dependencies: IndexDependency[] = [];
    for (const d of rawDependencies.slice(0, LIST_MAX)) {
      if (!isRecord(d)) continue;
      const name = scalar(d["name"]);
      const kept = name === null ? null : take(name);
      if (kept === null) continue;
      const dependency: IndexDependency = { name: kept };
      for (const field of ["version", "repository", "condition", "alias"] as const) {
        const value = scalar(d[field]);
        if (value !== null) setIfKept(dependency, field, take(value));
      }
      dependencies.push(dependency);
    }
    if (dependencies.length > 0) meta.dependencies = dependencies.slice();
  }
  const rawAnnotations = raw["annotations"];
  if (isRecord(rawAnnotations)) {
    const annotations: Record<string, string> = {};
    let count = 0;
    for (const key of Object.keys(rawAnnotations)) {
      const value = scalar(rawAnnotations[key]);
      if (value === null || count >= LIST_MAX) continue;
      const keptKey = take(key);
      const keptValue = keptKey === null ? null : take(value);
      if (keptKey === null || keptValue === null) continue;
      Object.defineProperty(annotations, keptKey, { value: keptValue, enumerable: true, writable: true, configurable: true });
      count++;
    }
    if (count > 0) meta.annotations = annotations;
  }
  if (rawMaintainers !== undefined && !Array.isArray(rawMaintainers) && !isNullish(rawMaintainers)) truncated = true;
  if (truncated) meta.truncated = true;
  return meta;
}

function setIfKept<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | null): void {
  if (value !== null) target[key] = value;
}

/** True for a YAML or JSON mapping. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** With the failsafe schema `null`, `~` and an empty value all mean "not set". */
export function isNullish(value: unknown): boolean {
  return value === null || value === undefined || value === "" || value === "~" || value === "null" || value === "Null" || value === "NULL";
}

/** A scalar field as a string (JSON numbers and booleans too), or null when not set. */
export function scalar(value: unknown): string | null {
  if (typeof value === "string") return isNullish(value) ? null : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}

function stringList(value: unknown): string[] {
  if (Array.isArray(value)) {
    const out: string[] = [];
    for (const item of value) {
      const text = scalar(item);
      if (text !== null && out.length < LIST_MAX) out.push(text);
    }
    return out;
  }
  const single = scalar(value);
  return single === null ? [] : [single];
}

/** Keeps each distinct string once, as a copy that does not point into its chunk. */
export class StringPool {
  private readonly kept = new Map<string, string>();

  keep(text: string): string {
    let copy = this.kept.get(text);
    if (copy === undefined) {
      // storableText: Postgres refuses NUL (a YAML "\0", a JSON "\u0000") and unpaired surrogates.
      copy = detach(storableText(text));
      this.kept.set(text, copy);
    }
    return copy;
  }

  /** A scalar field as a kept string, or null when not set. */
  text(value: unknown): string | null {
    const text = scalar(value);
    return text === null ? null : this.keep(text);
  }

  /** A list of scalars (or one scalar) as kept strings, in an array of exactly its size. */
  list(value: unknown): string[] {
    const list = stringList(value);
    return list.length === 0 ? [] : list.map((text) => this.keep(text));
  }
}

function isTrue(value: unknown): boolean {
  if (value === true) return true;
  return typeof value === "string" && /^(?:true|yes|on)$/i.test(value);
}

/**
 * A copy of `text` that does not point into the chunk it was parsed from. V8 keeps substrings
 * of 13+ characters as views of their parent, so without this the records would keep every
 * chunk, i.e. the whole document, alive.
 */
function detach(text: string): string {
  return text.length < 13 ? text : (" " + text).slice(1);
}

function capString(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = (text.charCodeAt(max - 1) & 0xfc00) === 0xd800 ? max - 1 : max;
  return text.slice(0, cut);
}
