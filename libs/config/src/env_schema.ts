import { InputError } from "@charthouse/errors";
import { z } from "zod";

/** Reads an environment variable as an integer within bounds, with a default. */
export function integerSetting(defaultValue: number, options: { min?: number; max?: number } = {}): z.ZodType<number> {
  const min = options.min ?? 0;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  return z
    .string()
    .trim()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === "") return defaultValue;
      if (!/^-?\d+$/.test(raw)) {
        ctx.addIssue({ code: "custom", message: `must be a whole number, got "${raw}"` });
        return z.NEVER;
      }
      const value = Number(raw);
      if (value < min || value > max) {
        ctx.addIssue({ code: "custom", message: `must be between ${min} and ${max}, got ${value}` });
        return z.NEVER;
      }
      return value;
    });
}

/** Reads an environment variable as a boolean (`true`/`false`/`1`/`0`), with a default. */
export function booleanSetting(defaultValue: boolean): z.ZodType<boolean> {
  return z
    .string()
    .trim()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === "") return defaultValue;
      if (["true", "1", "yes"].includes(raw.toLowerCase())) return true;
      if (["false", "0", "no"].includes(raw.toLowerCase())) return false;
      ctx.addIssue({ code: "custom", message: `must be true or false, got "${raw}"` });
      return z.NEVER;
    });
}

/** Reads an environment variable as a URL with one of the given protocols, with a default. */
export function urlSetting(defaultValue: string, protocols: readonly string[]): z.ZodType<string> {
  return z
    .string()
    .trim()
    .optional()
    .transform((raw, ctx) => {
      const value = raw === undefined || raw === "" ? defaultValue : raw;
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: "custom", message: `must be a URL, got "${redactUrl(value)}"` });
        return z.NEVER;
      }
      if (!protocols.includes(url.protocol)) {
        ctx.addIssue({ code: "custom", message: `must use ${protocols.join(" or ")}, got ${url.protocol}` });
        return z.NEVER;
      }
      return value;
    });
}

/** An optional string setting. */
export function optionalString(): z.ZodType<string | undefined> {
  return z
    .string()
    .optional()
    .transform((raw) => (raw === undefined || raw.trim() === "" ? undefined : raw.trim()));
}

/** A string setting that is one of the given values. */
export function choiceSetting<T extends string>(defaultValue: T, choices: readonly T[]): z.ZodType<T> {
  return z
    .string()
    .trim()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === "") return defaultValue;
      if ((choices as readonly string[]).includes(raw)) return raw as T;
      ctx.addIssue({ code: "custom", message: `must be one of ${choices.join(", ")}, got "${raw}"` });
      return z.NEVER;
    });
}

/**
 * Validates the environment against a schema of settings, reporting every problem at once, and
 * returns a frozen, typed object. The one place a service reads process.env.
 */
export function loadConfig<Shape extends z.ZodRawShape>(
  shape: Shape,
  env: Record<string, string | undefined> = process.env,
): Readonly<z.infer<z.ZodObject<Shape>>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const fields = result.error.issues.map((issue) => ({ field: issue.path.join("."), message: issue.message }));
    const lines = fields.map((f) => `  ${f.field}: ${f.message}`).join("\n");
    throw new InputError(`Invalid configuration:\n${lines}`, { fields });
  }
  return Object.freeze(result.data);
}

/** The URL with any password replaced, for messages. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return value.replace(/\/\/([^:/@]+):[^@/]*@/, "//$1:***@");
  }
}

/** Reads an optional environment variable as a URL with one of the given protocols. */
export function optionalUrlSetting(protocols: readonly string[]): z.ZodType<string | undefined> {
  return optionalString().superRefine((value, ctx) => {
    if (value === undefined) return;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: `must be a URL, got "${redactUrl(value)}"` });
      return;
    }
    if (!protocols.includes(url.protocol)) ctx.addIssue({ code: "custom", message: `must use ${protocols.join(" or ")}, got ${url.protocol}` });
  });
}

/** Reads comma-separated keys of 32 bytes in base64 (CHARTHOUSE_PREVIOUS_SECRET_KEYS); messages never repeat a key. */
export function secretKeyListSetting(): z.ZodType<string | undefined> {
  return optionalString().superRefine((value, ctx) => {
    const keys = (value ?? "").split(",").map((key) => key.trim()).filter((key) => key !== "");
    keys.forEach((key, index) => {
      const valid = /^[A-Za-z0-9+/_-]+={0,2}$/.test(key) && Buffer.from(key, "base64").length === 32;
      if (!valid) ctx.addIssue({ code: "custom", message: `key ${index + 1} must be 32 random bytes in base64 (openssl rand -base64 32)` });
    });
  });
}
