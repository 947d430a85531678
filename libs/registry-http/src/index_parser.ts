// index.yaml can be 20+ MB (Bitnami-scale). Parsing it into one tree costs 300-700 MB, so the
// fast path splits a Helm-style index by lines (top-level sections, then one chunk per chart
// key under `entries:`, then at most ~256 KB of versions per chunk), parses each chunk with
// js-yaml's failsafe schema and keeps a compact record per version. Anything the line
// splitter does not understand goes to a whole-document parse with `yaml` (correct, slower).
import { Buffer } from "node:buffer";
import { FAILSAFE_SCHEMA, YAMLException, load } from "js-yaml";
import { YAMLError, parse as parseYamlDocument } from "yaml";
import { InputError, storableText, TooLargeError } from "@charthouse/errors";
import type {
  IndexChartVersion,
  IndexDuplicate,
  IndexProblem,
  ParseIndexOptions,
  ParsedIndex,
} from "./index_model.ts";
import { chartNameProblem, compactVersion, isNullish, isRecord, scalar, StringPool } from "./index_entry.ts";

const DEFAULT_MAX_VERSIONS = 100_000;
const MAX_VERSIONS_SETTING = "CHARTHOUSE_MAX_INDEX_VERSIONS";
/** Versions of one chart are parsed in slices of about this many bytes (bounds the tree size). */
const SLICE_BYTES = 256 * 1024;
/** Alias expansion allowed in the `yaml` paths; billion-laughs documents exceed it at once. */
const MAX_ALIAS_COUNT = 100;

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

/** A problem as Postgres can store it (a chart key may hold a NUL). */
function storableProblem(path: string, message: string): IndexProblem {
  return { path: storableText(path), message: storableText(message) };
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
    if (invalid !== null) this.problems.push(storableProblem(`entries.${key}`, `entries.${key} ${invalid}; its versions are skipped`));
    return { key, valid: invalid === null, list: [], versions: new Set(), next: 0, pool: new StringPool() };
  }

  /** Ends a chart; `value` is its whole value when it was not added through addItems(). */
  closeChart(chart: OpenChart, value: unknown): void {
    if (value !== undefined && !isNullish(value)) {
      if (!Array.isArray(value)) {
        this.problems.push(storableProblem(`entries.${chart.key}`, `entries.${chart.key} is not a list of versions`));
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
        this.problems.push(storableProblem(path, `${path}${record}`));
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
