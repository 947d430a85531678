// Postgres refuses U+0000 in text and jsonb, and jsonb refuses an unpaired surrogate escape. A
// registry can send both (a NUL byte, a YAML "\0" or "\uD800" escape, a JSON "\u0000"), so text
// from a registry is cleaned where it enters, before anything tries to store it.

// eslint-disable-next-line no-control-regex
const nul = /\u0000/g;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Deeper nesting than this is dropped (as null) rather than walked. */
const maxDepth = 64;

/** Text from a registry as Postgres can store it: NUL dropped, unpaired surrogates as U+FFFD. */
export function storableText(text: string): string {
  // The common case allocates nothing.
  if (!text.includes("\u0000") && !/[\uD800-\uDFFF]/.test(text)) return text;
  return text.replace(nul, "").replace(loneSurrogate, "\uFFFD");
}

/** True when `text` holds a NUL, which no name or version may contain. */
export function hasNul(text: string): boolean {
  return text.includes("\u0000");
}

/**
 * A parsed JSON or YAML value from a registry as Postgres can store it in jsonb: every string
 * and key cleaned by storableText (keys that collide once cleaned: the last wins).
 */
export function storableJson<T>(value: T): T {
  return clean(value, 0) as T;
}

function clean(value: unknown, depth: number): unknown {
  if (typeof value === "string") return storableText(value);
  if (typeof value !== "object" || value === null) return value;
  if (depth >= maxDepth) return null;
  if (Array.isArray(value)) return value.map((item) => clean(item, depth + 1));
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // defineProperty: a "__proto__" key stays a plain key.
    Object.defineProperty(out, storableText(key), { value: clean(item, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
