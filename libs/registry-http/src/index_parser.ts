// index.yaml can be 20+ MB (Bitnami-scale). Parsing it into one tree costs 300-700 MB, so the
// fast path splits a Helm-style index by lines (top-level sections, then one chunk per chart
// key under `entries:`, then at most ~256 KB of versions per chunk), parses each chunk with
// js-yaml's failsafe schema and keeps a compact record per version. Anything the line
// splitter does not understand goes to a whole-document parse with `yaml` (correct, slower).
// This file is long on purpose: the splitter and the record it feeds belong together.
import { Buffer } from "node:buffer";
import { FAILSAFE_SCHEMA, YAMLException, load } from "js-yaml";
import { YAMLError, parse as parseYamlDocument } from "yaml";
import { InputError, TooLargeError } from "@charthouse/errors";
import type {
  IndexChartVersion,
  IndexDependency,
  IndexDuplicate,
  IndexProblem,
  IndexVersionMetadata,
  ParseIndexOptions,
  ParsedIndex,
} from "./index_model.ts";

const DEFAULT_MAX_VERSIONS = 100_000;
const MAX_VERSIONS_SETTING = "CHARTHOUSE_MAX_INDEX_VERSIONS";
/** Versions of one chart are parsed in slices of about this many bytes (bounds the tree size). */
const SLICE_BYTES = 256 * 1024;
/** Alias expansion allowed in the `yaml` paths; billion-laughs documents exceed it at once. */
const MAX_ALIAS_COUNT = 100;
const DESCRIPTION_MAX = 4096;
const METADATA_MAX = 16_384;
const METADATA_STRING_MAX = 2048;
const LIST_MAX = 100;

const NL = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const HASH = 0x23;
const DASH = 0x2d;

/** A `*alias` anywhere a YAML node can start; over-matches (markdown `*bold*`), never misses. */
const ALIAS_PATTERN = /(?:^|[\s[{,:])\*/m;
/** An `&anchor` anywhere a YAML node can start; over-matches, never misses. */
const ANCHOR_PATTERN = /(?:^|[\s[{,:])&\S/m;
/** A plain top-level key line: `entries:`, `apiVersion: v1`. */
const TOP_LEVEL_KEY = /^([A-Za-z_][A-Za-z0-9_./-]*)[ \t]*:(?=[ \t\r]|$)/;
/** A chart key line with its value on the following lines: `  nginx:`. */
const CHART_KEY_LINE = /^ *([^\s\-?:,[\]{}#&*!|>'"%@`][^\s#]*?)[ \t]*:[ \t]*\r?$/;
/** Characters that start a line the splitter leaves to a real YAML parser. */
const INDICATORS = new Set([..."?[]{}!&*|>%@`,:"].map((c) => c.charCodeAt(0)));

/** The fast path met a layout it does not understand: parse the whole document instead. */
class LayoutError extends Error {
  override name = "LayoutError";
}

/** Parses an index.yaml (or index.json) body into compact per-version records. */
export function parseIndex(body: Uint8Array | string, options: ParseIndexOptions = {}): ParsedIndex {
  const buf = typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const label = options.source === undefined ? "index.yaml" : `index.yaml of ${JSON.stringify(options.source)}`;
  const maxVersions = options.maxVersions ?? DEFAULT_MAX_VERSIONS;
  const start = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  sniffForeignContent(buf, start, label);

  const first = firstContentByte(buf, start);
  if (first === -1) throw invalidIndex(label, "the document is empty");
  if (first === 0x7b /* { */ || first === 0x5b /* [ */) {
    const text = buf.toString("utf8", start);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // Flow-style YAML, or broken JSON: let the YAML parser say which.
      return fromTree(parseWholeDocument(text, label), new IndexBuilder(label, maxVersions), false);
    }
    return fromTree(json, new IndexBuilder(label, maxVersions), true);
  }
  try {
    return parseHelmLayout(buf, start, new IndexBuilder(label, maxVersions));
  } catch (err) {
    if (!(err instanceof LayoutError)) throw err;
    const text = buf.toString("utf8", start);
    return fromTree(parseWholeDocument(text, label), new IndexBuilder(label, maxVersions), false);
  }
}

function invalidIndex(label: string, what: string, cause?: unknown): InputError {
  return new InputError(`Cannot parse ${label}: ${what}`, cause === undefined ? { code: "invalid_index" } : { code: "invalid_index", cause });
}

function notHelm(label: string, what: string): InputError {
  return new InputError(`Cannot parse ${label}: ${what}; this is not a Helm chart repository`, { code: "not_a_helm_repository" });
}

/** HTML pages (login pages, registry UIs) and binary bodies are refused before any parsing. */
function sniffForeignContent(buf: Buffer, start: number, label: string): void {
  const head = buf.subarray(start, start + 8192);
  if (head[0] === 0x1f && head[1] === 0x8b) throw invalidIndex(label, "the body is gzip-compressed binary, not YAML");
  if (head.includes(0)) throw invalidIndex(label, "the body is binary, not YAML");
  const text = head.subarray(0, 1024).toString("utf8").trimStart().toLowerCase();
  if (text.startsWith("<") && (text.startsWith("<!doctype html") || /<html[\s>]/.test(text))) {
    throw notHelm(label, "the body is an HTML page");
  }
}

function firstContentByte(buf: Buffer, start: number): number {
  for (let i = start; i < buf.length; i++) {
    const b = buf[i] as number;
    if (b !== SPACE && b !== NL && b !== CR && b !== TAB) return b;
  }
  return -1;
}

/** The whole-document parse: correct for every layout, guarded against alias bombs, slower. */
function parseWholeDocument(text: string, label: string): unknown {
  try {
    return parseYamlDocument(text, { schema: "failsafe", maxAliasCount: MAX_ALIAS_COUNT, logLevel: "error" });
  } catch (err) {
    throw invalidIndex(label, describeYamlError(err, 1), err);
  }
}

function describeYamlError(err: unknown, firstLine: number): string {
  if (err instanceof YAMLException) {
    return `line ${firstLine + err.mark.line}, column ${err.mark.column + 1}: ${err.reason}`;
  }
  if (err instanceof YAMLError) {
    const pos = err.linePos?.[0];
    const where = pos === undefined ? "" : `line ${firstLine - 1 + pos.line}, column ${pos.col}: `;
    const reason = (err.message.split("\n")[0] ?? err.code).replace(/ at line \d+, column \d+:?$/, "");
    return `${where}${reason}`;
  }
  if (err instanceof Error && /alias/i.test(err.message)) return `${err.message} (YAML aliases are limited)`;
  return err instanceof Error ? err.message : String(err);
}

/** Parses one chunk of the document; `firstLine` is its first line's number in the document. */
function parseChunk(text: string, firstLine: number, label: string): unknown {
  const aliases = ALIAS_PATTERN.test(text);
  if (aliases && ANCHOR_PATTERN.test(text)) {
    try {
      return parseYamlDocument(text, { schema: "failsafe", maxAliasCount: MAX_ALIAS_COUNT, logLevel: "error" });
    } catch {
      // An anchor in another chunk, an alias bomb or broken YAML: the whole document decides.
      throw new LayoutError("alias");
    }
  }
  try {
    return load(text, { schema: FAILSAFE_SCHEMA });
  } catch (err) {
    // An alias whose anchor is in another chunk: only the whole document can resolve it.
    if (aliases && err instanceof YAMLException && /unidentified alias/.test(err.reason)) throw new LayoutError("alias");
    throw invalidIndex(label, describeYamlError(err, firstLine), err);
  }
}

interface Section {
  key: string;
  /** `entries:` with its charts on the following lines (split by the fast path). */
  block: boolean;
  start: number;
  end: number;
  line: number;
}

interface ChartSpan {
  keyStart: number;
  keyEnd: number;
  line: number;
  firstContent: number;
  /** Start offsets of the `- ` lines at the chart key's indentation, and their line numbers. */
  items: number[];
  itemLines: number[];
}

/** The fast path: Helm's block layout, split by lines, parsed chunk by chunk. */
function parseHelmLayout(buf: Buffer, start: number, builder: IndexBuilder): ParsedIndex {
  const label = builder.label;
  const sections: Section[] = [];
  const seen = new Set<string>();
  let section: Section | null = null;
  let entriesBlock = false;
  let indent = 0;
  let chart: ChartSpan | null = null;
  let lineNo = 0;
  let pos = start;
  let sawDocumentStart = false;

  const closeChart = (end: number): void => {
    if (chart !== null) parseChartSpan(buf, chart, end, builder);
    chart = null;
  };

  while (pos < buf.length) {
    lineNo++;
    let eol = buf.indexOf(NL, pos);
    if (eol === -1) eol = buf.length;
    const b0 = buf[pos] as number;
    if (b0 === SPACE) {
      if (section === null) throw new LayoutError("indented first line");
      if (entriesBlock) {
        const limit = indent === 0 ? eol : Math.min(eol, pos + indent + 1);
        let i = pos;
        while (i < limit && buf[i] === SPACE) i++;
        const c = i < eol ? (buf[i] as number) : NL;
        const lead = i - pos;
        if (c === NL || c === CR || c === HASH) {
          // blank or comment line
        } else if (c === TAB) {
          throw new LayoutError("tab");
        } else if (indent !== 0 && lead > indent) {
          if (chart === null) throw new LayoutError("body before any chart key");
          if (chart.firstContent === -1) chart.firstContent = pos;
        } else {
          if (indent === 0) indent = lead;
          if (lead < indent) throw new LayoutError("deficient indentation");
          const next = i + 1 < eol ? (buf[i + 1] as number) : NL;
          if (c === DASH && (next === SPACE || next === NL || next === CR)) {
            if (chart === null) throw new LayoutError("entries is a list");
            if (chart.firstContent === -1) chart.firstContent = pos;
            chart.items.push(pos);
            chart.itemLines.push(lineNo);
          } else if (INDICATORS.has(c)) {
            throw new LayoutError("complex chart key");
          } else {
            closeChart(pos);
            chart = { keyStart: pos, keyEnd: eol, line: lineNo, firstContent: -1, items: [], itemLines: [] };
          }
        }
      }
    } else if (b0 === NL || b0 === CR || b0 === HASH) {
      // blank or comment line at column 0
    } else if (b0 === TAB) {
      throw new LayoutError("tab");
    } else {
      const head = buf.toString("utf8", pos, Math.min(eol, pos + 256));
      if (/^---[ \t\r]*$/.test(head) && section === null && !sawDocumentStart) {
        sawDocumentStart = true;
      } else {
        const match = TOP_LEVEL_KEY.exec(head);
        const key = match?.[1];
        if (key === undefined || seen.has(key)) throw new LayoutError("top-level line");
        seen.add(key);
        closeChart(pos);
        if (section !== null) section.end = pos;
        entriesBlock = key === "entries" && /^[ \t]*(?:#.*)?\r?$/.test(head.slice((match?.[0] ?? "").length));
        section = { key, block: entriesBlock, start: pos, end: buf.length, line: lineNo };
        sections.push(section);
        indent = 0;
      }
    }
    pos = eol + 1;
  }
  closeChart(buf.length);

  let apiVersion: string | null = null;
  let generated: string | null = null;
  let hasEntries = false;
  for (const s of sections) {
    if (s.key === "entries") hasEntries = true;
    if (s.block) continue;
    const value = parseChunk(buf.toString("utf8", s.start, s.end), s.line, label);
    const field = isRecord(value) ? value[s.key] : undefined;
    if (s.key === "apiVersion") apiVersion = scalar(field);
    else if (s.key === "generated") generated = scalar(field);
    else if (s.key === "entries") builder.addEntries(field);
  }
  if (!hasEntries) throw invalidIndex(label, "it has no entries key");
  return builder.finish(apiVersion, generated);
}

/** Parses one chart's span: its key line, then its versions in slices of about SLICE_BYTES. */
function parseChartSpan(buf: Buffer, span: ChartSpan, end: number, builder: IndexBuilder): void {
  const label = builder.label;
  const keyLine = buf.toString("utf8", span.keyStart, span.keyEnd);
  const key = CHART_KEY_LINE.exec(keyLine)?.[1];
  if (key === undefined) {
    // Quoted key, inline value (`nginx: []`), comment...: parse the chart's whole span.
    const value = parseChunk(buf.toString("utf8", span.keyStart, end), span.line, label);
    if (!isRecord(value)) throw new LayoutError("chart span");
    const keys = Object.keys(value);
    if (keys.length !== 1 || keys[0] === undefined) throw new LayoutError("chart span");
    builder.addChart(keys[0], value[keys[0]]);
    return;
  }
  const chart = builder.openChart(key);
  const bodyStart = Math.min(span.keyEnd + 1, end);
  if (span.firstContent === -1 || span.firstContent >= end) return builder.closeChart(chart, null);
  if (span.items[0] !== span.firstContent) {
    // Versions indented deeper than the key (ChartMuseum style) or not a list: one chunk.
    const value = parseChunk(buf.toString("utf8", bodyStart, end), span.line + 1, label);
    return builder.closeChart(chart, value);
  }
  let sliceStart = span.firstContent;
  let sliceLine = span.itemLines[0] ?? span.line + 1;
  const items = span.items;
  for (let k = 0; k <= items.length; k++) {
    const next = k + 1 < items.length ? (items[k + 1] as number) : end;
    if (next - sliceStart < SLICE_BYTES && next !== end) continue;
    const text = buf.toString("utf8", sliceStart, next);
    const value = parseChunk(text, sliceLine, label);
    if (!Array.isArray(value)) throw new LayoutError("version slice");
    builder.addItems(chart, value);
    sliceStart = next;
    sliceLine = span.itemLines[k + 1] ?? sliceLine;
    if (next === end) break;
  }
  builder.closeChart(chart, undefined);
}

/** The tree paths (JSON, whole-document YAML): same checks, same records. */
function fromTree(root: unknown, builder: IndexBuilder, isJson: boolean): ParsedIndex {
  const label = builder.label;
  if (!isRecord(root)) {
    if (isJson) throw notHelm(label, "the JSON body is not an object with entries");
    throw invalidIndex(label, "the top level is not a map");
  }
  if (!Object.hasOwn(root, "entries")) {
    if (isJson) throw notHelm(label, "the JSON body has no entries key");
    throw invalidIndex(label, "it has no entries key");
  }
  builder.addEntries(root["entries"]);
  return builder.finish(scalar(root["apiVersion"]), scalar(root["generated"]));
}

interface OpenChart {
  key: string;
  valid: boolean;
  list: IndexChartVersion[];
  versions: Set<string>;
  next: number;
  /** Versions of one chart repeat most strings (home, icon, maintainers): keep each once. */
  pool: StringPool;
}

/** Collects compact records, problems and duplicates while chunks are parsed. */
class IndexBuilder {
  readonly charts = new Map<string, IndexChartVersion[]>();
  readonly duplicates: IndexDuplicate[] = [];
  readonly problems: IndexProblem[] = [];
  versionCount = 0;
  private seenItems = 0;

  constructor(
    readonly label: string,
    private readonly maxVersions: number,
  ) {}

  addEntries(entries: unknown): void {
    if (isNullish(entries)) return;
    if (!isRecord(entries)) throw invalidIndex(this.label, "entries is not a map of chart names");
    for (const key of Object.keys(entries)) this.addChart(key, entries[key]);
  }

  addChart(key: string, value: unknown): void {
    this.closeChart(this.openChart(key), value);
  }

  openChart(key: string): OpenChart {
    if (this.charts.has(key)) throw invalidIndex(this.label, `entries.${key} is listed twice`);
    const invalid = chartNameProblem(key);
    if (invalid !== null) this.problems.push({ path: `entries.${key}`, message: `entries.${key} ${invalid}; its versions are skipped` });
    return { key, valid: invalid === null, list: [], versions: new Set(), next: 0, pool: new StringPool() };
  }

  /** Ends a chart; `value` is its whole value when it was not added through addItems(). */
  closeChart(chart: OpenChart, value: unknown): void {
    if (value !== undefined && !isNullish(value)) {
      if (!Array.isArray(value)) {
        this.problems.push({ path: `entries.${chart.key}`, message: `entries.${chart.key} is not a list of versions` });
        return;
      }
      this.addItems(chart, value);
    }
    if (chart.valid) this.charts.set(chart.key, chart.list);
  }

  addItems(chart: OpenChart, items: unknown[]): void {
    this.seenItems += items.length;
    if (this.seenItems > this.maxVersions) {
      throw new TooLargeError(`Cannot parse ${this.label}: it lists more than ${this.maxVersions} chart versions`, {
        setting: MAX_VERSIONS_SETTING,
      });
    }
    for (const raw of items) {
      const path = `entries.${chart.key}[${chart.next++}]`;
      if (!chart.valid) continue;
      const record = compactVersion(raw, chart.key, chart.pool);
      if (typeof record === "string") {
        this.problems.push({ path, message: `${path}${record}` });
      } else if (chart.versions.has(record.version)) {
        this.duplicates.push({ chart: chart.key, version: record.version });
      } else {
        chart.versions.add(record.version);
        chart.list.push(record);
        this.versionCount++;
      }
    }
  }

  finish(apiVersion: string | null, generated: string | null): ParsedIndex {
    if (apiVersion === null) this.problems.push({ path: "apiVersion", message: "apiVersion is missing; v1 is assumed" });
    return {
      apiVersion: apiVersion ?? "v1",
      generated,
      charts: this.charts,
      versionCount: this.versionCount,
      duplicates: this.duplicates,
      problems: this.problems,
    };
  }
}

function chartNameProblem(name: string): string | null {
  if (name === "") return "has an empty chart name";
  if (name.includes("/") || name.includes("\\") || name.includes("..")) return `has an invalid chart name ${JSON.stringify(name)}`;
  if (/[\u0000-\u001f\u007f]/.test(name)) return `has an invalid chart name ${JSON.stringify(name)}`;
  return null;
}

/** One index entry as a compact record, or the reason (after its path) why it is skipped. */
function compactVersion(raw: unknown, chart: string, pool: StringPool): IndexChartVersion | string {
  if (!isRecord(raw)) return " is not a map";
  const version = raw["version"];
  if (version === undefined) return ".version is missing";
  if (isRecord(version) || Array.isArray(version)) return ".version is not a string";
  const versionText = scalar(version);
  if (versionText === null) return ".version is empty";
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** With the failsafe schema `null`, `~` and an empty value all mean "not set". */
function isNullish(value: unknown): boolean {
  return value === null || value === undefined || value === "" || value === "~" || value === "null" || value === "Null" || value === "NULL";
}

/** A scalar field as a string (JSON numbers and booleans too), or null when not set. */
function scalar(value: unknown): string | null {
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
class StringPool {
  private readonly kept = new Map<string, string>();

  keep(text: string): string {
    let copy = this.kept.get(text);
    if (copy === undefined) {
      copy = detach(text);
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
