import { describe, expect, it } from "vitest";
import { InputError, TooLargeError } from "@charthouse/errors";
import { stringify } from "yaml";
import { parseValuesYaml } from "./parse_values_yaml.ts";
import { userValuesLimits } from "./values_limits.ts";

const parse = (text: string): Record<string, unknown> => parseValuesYaml(text, "the values file", userValuesLimits);

/** Runs `fn`, which must throw, and returns the error and how long it took. */
function refusal(fn: () => unknown): { error: unknown; ms: number } {
  const started = performance.now();
  try {
    fn();
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
  throw new Error("expected a refusal");
}

/** Nested maps, `levels` of them counting the root, in block style indented by one space a level. */
function blockNesting(levels: number): string {
  let text = "";
  for (let i = 0; i < levels - 1; i += 1) text += `${" ".repeat(i)}k:\n`;
  return `${text}${" ".repeat(levels - 1)}leaf: 1\n`;
}

describe("parseValuesYaml()", () => {
  it("reads scalars as Helm does: YAML 1.1 booleans, dates as text, merge keys, last duplicate wins", () => {
    const values = parse("a: yes\nb: off\nwhen: 2024-01-02\nmode: 0755\nbase: &base { x: 1 }\nmerged:\n  <<: *base\n  z: 2\nd: 1\nd: 2\n");
    expect(values).toEqual({ a: true, b: false, when: "2024-01-02", mode: 493, base: { x: 1 }, merged: { x: 1, z: 2 }, d: 2 });
  });

  it("reads the keys y and n as true and false, as Helm's YAML 1.1 reader does", () => {
    expect(parse("y: 1\nn: 2\nyes: 3\n")).toEqual({ true: 3, false: 2 });
  });

  it("reads an empty document, or one of comments only, as no values", () => {
    expect(parse("")).toEqual({});
    expect(parse("# nothing here\n---\n")).toEqual({});
  });

  it("refuses a document whose top level is a list or a scalar", () => {
    expect(() => parse("- a\n- b\n")).toThrow(/top level is a list/);
    expect(() => parse("just text")).toThrow(InputError);
  });

  it("keeps a __proto__ key as data, never as the object's prototype", () => {
    const values = parse("__proto__: { polluted: true }\n");
    expect(Object.hasOwn(values, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("accepts 100 levels of nesting, maps and lists mixed", () => {
    expect(parse(blockNesting(100))).toBeTypeOf("object");
    let mixed: unknown = { leaf: 1 };
    for (let level = 1; level < 99; level += 1) mixed = level % 2 === 0 ? { k: mixed } : [mixed];
    expect(parse(stringify({ k: mixed }))).toEqual({ k: mixed });
  });

  it("refuses a 10 MB document at once with TooLargeError (too_large)", () => {
    const { error, ms } = refusal(() => parse(`a: "${"x".repeat(10 * 1024 * 1024)}"\n`));
    expect(error).toBeInstanceOf(TooLargeError);
    expect((error as TooLargeError).code).toBe("too_large");
    expect((error as TooLargeError).message).toBe("Cannot read the values file: it is over the limit of 1048576 bytes");
    expect(ms).toBeLessThan(1000);
  });

  it("counts the limit in UTF-8 bytes, not characters", () => {
    const text = `a: "${"é".repeat(600 * 1024)}"\n`;
    expect(text.length).toBeLessThan(1024 * 1024);
    expect(() => parse(text)).toThrow(TooLargeError);
  });

  it("refuses an alias bomb (billion laughs) quickly with InputError (invalid_input)", () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i += 1) {
      const name = String.fromCharCode(97 + i);
      const previous = String.fromCharCode(96 + i);
      lines.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(",")}]`);
    }
    const { error, ms } = refusal(() => parse(lines.join("\n")));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe("invalid_input");
    expect((error as InputError).message).toMatch(/^Cannot parse the values file: Excessive alias count/);
    expect(ms).toBeLessThan(1000);
  });

  it("refuses many plain aliases of one big list once they expand past a million values", () => {
    const text = `a: &a [${Array(1000).fill("1").join(",")}]\nb: [${Array(999).fill("*a").join(",")}]\n`;
    // Without the time limit, which a loaded machine may reach first (it refuses the file all the same).
    const { maxReadMilliseconds: _unlimited, ...untimed } = userValuesLimits;
    expect(() => parseValuesYaml(text, "the values file", untimed)).toThrow("Cannot read the values file: it expands to more than 1000000 values (too many aliases?)");
    expect(() => parse(text)).toThrow(InputError);
  });

  it("refuses an anchor that contains itself", () => {
    expect(() => parse("a: &a [ *a ]\n")).toThrow(/nests deeper than 100 levels/);
  });

  it("refuses 1,000-deep nesting, block or flow, quickly", () => {
    for (const text of [blockNesting(1000), `a: ${"[".repeat(1000)}${"]".repeat(1000)}`, `${"{a: ".repeat(200_000)}1${"}".repeat(200_000)}`]) {
      const { error, ms } = refusal(() => parse(text));
      expect((error as InputError).code).toBe("invalid_input");
      expect((error as InputError).message).toBe("Cannot read the values file: it nests deeper than 100 levels");
      expect(ms).toBeLessThan(1000);
    }
  });

  it("refuses 101 levels", () => {
    expect(() => parse(blockNesting(101))).toThrow(/nests deeper than 100 levels/);
  });

  it("refuses a valid document that takes longer to read than its limits allow, and reads it without the time limit", () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `key${i}: [${i}, ${i}]`).join("\n");
    const hurried = { ...userValuesLimits, maxReadMilliseconds: 1 };
    expect(() => parseValuesYaml(text, "the values file", hurried)).toThrow(/the values file: it takes more than 1 ms to read/);
    const { maxReadMilliseconds: _unlimited, ...patient } = userValuesLimits;
    expect(Object.keys(parseValuesYaml(text, "the values file", patient))).toHaveLength(20_000);
  });

  it("refuses a 1 MiB flow list of a million values within about a second", () => {
    const text = `a: [${"1,".repeat(500_000)}1]\n`;
    const started = performance.now();
    expect(() => parseValuesYaml(text, "the values file", userValuesLimits)).toThrow(InputError);
    // 600 ms of reading, checked every 4,096 tokens; generous for a loaded machine.
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("refuses invalid YAML with where it failed", () => {
    const { error } = refusal(() => parse("a: [1, 2\nb: c: d\n"));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe("invalid_input");
    expect((error as InputError).message).toMatch(/^Cannot parse the values file: .* at line \d+, column \d+$/);
  });

  it("refuses an alias to an anchor that does not exist", () => {
    expect(() => parse("a: *nowhere\n")).toThrow(InputError);
  });
});
