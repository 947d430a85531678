// Helm orders versions with Masterminds/semver, which is lenient: `v1.2`, `2.0.000` and
// `0.46.00` are versions there. This follows it; what it cannot read sorts after.

/** Masterminds/semver's loose form: optional `v`, one to three numbers, pre-release, build. */
const LOOSE = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;
/** semver.org 2.0.0, exactly. */
const STRICT =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

interface LooseVersion {
  /** major, minor, patch without leading zeros (compared as digit strings: no overflow). */
  core: [string, string, string];
  pre: string[];
}

const cache = new Map<string, LooseVersion | null>();

function parseLoose(version: string): LooseVersion | null {
  const cached = cache.get(version);
  if (cached !== undefined) return cached;
  const m = LOOSE.exec(version);
  const parsed: LooseVersion | null =
    m === null
      ? null
      : {
          core: [stripZeros(m[1] ?? "0"), stripZeros(m[2] ?? "0"), stripZeros(m[3] ?? "0")],
          pre: m[4] === undefined ? [] : m[4].split("."),
        };
  if (cache.size > 50_000) cache.clear();
  cache.set(version, parsed);
  return parsed;
}

function stripZeros(digits: string): string {
  const stripped = digits.replace(/^0+/, "");
  return stripped === "" ? "0" : stripped;
}

function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareIdentifiers(a: string, b: string): number {
  const aNumeric = /^\d+$/.test(a);
  const bNumeric = /^\d+$/.test(b);
  if (aNumeric && bNumeric) return compareDigits(stripZeros(a), stripZeros(b));
  if (aNumeric) return -1;
  if (bNumeric) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Semver precedence (ascending); build metadata is ignored, as semver says. */
function comparePrecedence(a: LooseVersion, b: LooseVersion): number {
  for (let i = 0; i < 3; i++) {
    const c = compareDigits(a.core[i] as string, b.core[i] as string);
    if (c !== 0) return c;
  }
  if (a.pre.length === 0 || b.pre.length === 0) return b.pre.length - a.pre.length;
  const n = Math.min(a.pre.length, b.pre.length);
  for (let i = 0; i < n; i++) {
    const c = compareIdentifiers(a.pre[i] as string, b.pre[i] as string);
    if (c !== 0) return c;
  }
  return a.pre.length - b.pre.length;
}

/**
 * Sort comparator, newest first: semver precedence read leniently like Helm (`v` prefix,
 * `1.2`, `2.0.000`); versions that are not semver come after all others, in descending string
 * order. Equal precedence (`1.0.0` and `1.0.0+b1`) is settled by descending string order, so
 * the order never depends on the input order.
 */
export function compareVersionsDesc(a: string, b: string): number {
  const va = parseLoose(a);
  const vb = parseLoose(b);
  if (va !== null && vb !== null) {
    const c = comparePrecedence(vb, va);
    if (c !== 0) return c;
  } else if (va !== null) {
    return -1;
  } else if (vb !== null) {
    return 1;
  }
  return a < b ? 1 : a > b ? -1 : 0;
}

/** True when `version` is exactly semver.org 2.0.0 (no `v`, three parts, no leading zeros). */
export function isStrictSemver(version: string): boolean {
  return STRICT.test(version);
}
