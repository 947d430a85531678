import { z } from "zod";

/** Fields of a credential that may be shown and logged (never part of the secret's protection). */
export interface CredentialPublicFields {
  username?: string;
  provider_hint?: string;
}

/**
 * One kind of registry credential: the schema of its secret (the API body fields) and what of
 * it is public. Each kind lives in its own file; `credentialKinds` lists them.
 */
export interface CredentialKindDefinition<Kind extends string, Secret> {
  readonly kind: Kind;
  /** For messages: "username and password". */
  readonly description: string;
  readonly secretSchema: z.ZodType<Secret>;
  publicFields(secret: Secret): CredentialPublicFields;
}

/** Options of one text field of a credential secret. */
export interface CredentialTextOptions {
  /** Longest accepted value, in characters. */
  max: number;
  /** Trim surrounding whitespace (names and tokens); passwords are kept as typed. Default true. */
  trim?: boolean;
  /** A further rule, with the message shown when it fails. */
  rule?: { test: (value: string) => boolean; message: string };
}

/**
 * A required text field of a credential secret with messages that name the problem, never the
 * value: "is required", "must not be empty", "must be at most 256 characters" (the first only).
 */
export function credentialText(options: CredentialTextOptions): z.ZodType<string> {
  const base = z.string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") });
  const trimmed = options.trim === false ? base : base.trim();
  const rule = options.rule;
  return trimmed
    .min(1, { error: "must not be empty", abort: true })
    .max(options.max, { error: `must be at most ${options.max} characters`, abort: true })
    .refine((value) => !hasControlCharacters(value), { error: "must not contain control characters or line breaks", abort: true })
    .refine((value) => rule === undefined || rule.test(value), { error: rule?.message ?? "is not valid" });
}

function hasControlCharacters(value: string): boolean {
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
