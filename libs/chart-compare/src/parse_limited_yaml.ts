import { InputError, TooLargeError } from "@charthouse/errors";
import { Composer, Lexer, LineCounter, Parser } from "yaml";
import type { CST, Document, DocumentOptions, ParseOptions, SchemaOptions, Tags } from "yaml";
import type { ValuesLimits } from "./values_limits.ts";

/** Options of {@link parseLimitedYaml}. */
export interface ParseLimitedYamlOptions {
  /** What the text is, for messages: `values.yaml of 1.2.0`, `the values file`. */
  what: string;
  limits: Readonly<ValuesLimits>;
}

/** Tags of YAML 1.1 whose values are not JSON (dates, binary, sets, ordered maps) or that Helm does not read (60-based numbers). */
const nonJsonTags = new Set([
  "tag:yaml.org,2002:binary",
  "tag:yaml.org,2002:omap",
  "tag:yaml.org,2002:pairs",
  "tag:yaml.org,2002:set",
  "tag:yaml.org,2002:timestamp",
]);
const nonJsonTagNames = new Set(["binary", "omap", "pairs", "set", "timestamp", "intTime", "floatTime"]);

/** YAML 1.1's tags less the non-JSON ones: a date stays the string it is written as, as Helm reads it. */
function helmScalarTags(tags: Tags): Tags {
  return tags.filter((tag) =>
    typeof tag === "string" ? !nonJsonTagNames.has(tag) : !nonJsonTags.has(tag.tag) && !("format" in tag && tag.format === "TIME"),
  );
}

/**
 * Parses one YAML document into plain JSON values the way Helm reads values: YAML 1.1 scalars
 * (`yes`, `on` and `y` are true; timestamps stay strings), merge keys, the last of duplicate keys
 * wins. Refuses text over `maxBytes` (TooLargeError) and invalid YAML, too many aliases, nesting
 * deeper than `maxDepth` or more than `maxNodes` expanded nodes (InputError invalid_input).
 */
export function parseLimitedYaml(text: string, options: ParseLimitedYamlOptions): unknown {
  const { what, limits } = options;
  // Cheap upper bound first (a UTF-16 unit is at most 3 UTF-8 bytes), the exact count only when it matters.
  if (text.length > limits.maxBytes || (text.length * 3 > limits.maxBytes && Buffer.byteLength(text, "utf8") > limits.maxBytes)) {
    throw new TooLargeError(`Cannot read ${what}: it is over the limit of ${limits.maxBytes} bytes`, {
      setting: "maxBytes",
      solution: limits.tooLargeSolution,
    });
  }
  const deadline = new ReadDeadline(limits.maxReadMilliseconds, what);
  let value: unknown;
  try {
    const lineCounter = new LineCounter();
    const doc = composeFirstDocument(boundedTokens(text, { maxDepth: limits.maxDepth, deadline }, lineCounter, what));
    const [firstError] = doc.errors;
    if (firstError !== undefined) {
      const { line, col } = lineCounter.linePos(firstError.pos[0]);
      throw invalid(`Cannot parse ${what}: ${firstLine(firstError.message)} at line ${line}, column ${col}`, firstError);
    }
    value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (err) {
    if (err instanceof InputError) throw err;
    // The alias check, or a stack overflow that the nesting bound should have prevented.
    throw invalid(`Cannot parse ${what}: ${firstLine((err as Error).message)}`, err);
  }
  checkShape(value, what, limits, deadline);
  return value;
}

/** The time a reading may take, checked now and then by the loops that read (see maxReadMilliseconds). */
class ReadDeadline {
  readonly #at: number;
  readonly #ms: number;
  #calls = 0;

  constructor(ms: number | undefined, private readonly what: string) {
    this.#ms = ms ?? Number.POSITIVE_INFINITY;
    this.#at = performance.now() + this.#ms;
  }

  /** Throws InputError once the time is up; reads the clock once in 4,096 calls. */
  check(): void {
    this.#calls += 1;
    if ((this.#calls & 4095) !== 0 || performance.now() <= this.#at) return;
    throw invalid(`Cannot read ${this.what}: it takes more than ${this.#ms} ms to read (too many values); send a smaller file`);
  }
}

/** How YAML is read: Helm's scalars, merge keys, duplicate keys allowed (the last wins, as in Helm). */
const yamlOptions: ParseOptions & DocumentOptions & SchemaOptions = {
  version: "1.1",
  customTags: helmScalarTags,
  merge: true,
  uniqueKeys: false,
  logLevel: "silent",
};

/**
 * The parser's tokens of `text`, refusing nesting before anything recursive sees it: the parser
 * keeps its open collections on an explicit stack, about one entry per level, so a document
 * nested thousands deep is refused here in linear time instead of overflowing the composer.
 */
function boundedTokens(text: string, bounds: { maxDepth: number; deadline: ReadDeadline }, lineCounter: LineCounter, what: string): CST.Token[] {
  const { maxDepth, deadline } = bounds;
  // A few entries more than the levels: the document and a pending key or scalar sit on the stack too.
  const maxStack = maxDepth + 8;
  const parser = new Parser(lineCounter.addNewLine);
  const tokens: CST.Token[] = [];
  lineCounter.addNewLine(0);
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) tokens.push(token);
    if (parser.stack.length > maxStack) throw invalid(`Cannot read ${what}: it nests deeper than ${maxDepth} levels`);
    deadline.check();
  }
  for (const token of parser.end()) tokens.push(token);
  return tokens;
}

/** The first document of the stream, as Helm reads only the first one. */
function composeFirstDocument(tokens: readonly CST.Token[]): Document.Parsed {
  const composer = new Composer(yamlOptions);
  for (const doc of composer.compose(tokens, true)) return doc;
  throw new Error("The YAML composer made no document");
}

/**
 * Walks the value as a tree, aliases expanded, without recursion: refuses nesting over `maxDepth`
 * (which also catches an anchor that contains itself) and more than `maxNodes` nodes, so that later
 * walks over the same value are bounded too.
 */
function checkShape(root: unknown, what: string, limits: Readonly<ValuesLimits>, deadline: ReadDeadline): void {
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
  let nodes = 0;
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    nodes += 1;
    deadline.check();
    if (nodes > limits.maxNodes) {
      throw invalid(`Cannot read ${what}: it expands to more than ${limits.maxNodes} values (too many aliases?)`);
    }
    const { value, depth } = next;
    if (typeof value !== "object" || value === null) continue;
    if (depth >= limits.maxDepth) {
      throw invalid(`Cannot read ${what}: it nests deeper than ${limits.maxDepth} levels`);
    }
    const children = Array.isArray(value) ? value : Object.values(value);
    for (const child of children) stack.push({ value: child, depth: depth + 1 });
  }
}

function firstLine(message: string): string {
  return message.split("\n", 1)[0] ?? message;
}

function invalid(message: string, cause?: unknown): InputError {
  return new InputError(message, cause === undefined ? {} : { cause });
}
