import { randomBytes } from "node:crypto";
import { isVersionRange, webhookEventTypes, webhookFormats, webhookSecretBytes } from "@charthouse/catalog";
import { CharthouseError, InputError } from "@charthouse/errors";
import { assertAllowedHost, resolveAllowedAddresses, type DestinationPolicy } from "@charthouse/outbound-http";
import { z } from "zod";
import { parseBody } from "./request_body.ts";

const createSchema = z.object({
  name: z.string({ error: "is required" }).trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
  url: z.string({ error: "is required" }).trim().min(1, "must not be empty").max(2048, "must be at most 2048 characters"),
  secret: z.string().min(1, "must not be empty").max(1024, "must be at most 1024 characters").optional(),
  events: z
    .array(z.enum(webhookEventTypes, { error: `must each be one of ${webhookEventTypes.join(", ")}` }), { error: "is required" })
    .min(1, "must list at least one event"),
  registry_id: z.uuid("must be a registry id").nullable().optional(),
  chart: z.string().trim().min(1, "must not be empty").max(253, "must be at most 253 characters").nullable().optional(),
  version_range: z
    .string()
    .max(200, "must be at most 200 characters")
    .refine(isVersionRange, "must be a semver range such as ^2 or >=2.0.0 <3")
    .nullable()
    .optional(),
  include_prereleases: z.boolean().optional(),
  format: z.enum(webhookFormats, { error: `must be one of ${webhookFormats.join(", ")}` }).optional(),
});

/** A validated POST /subscriptions body, with the secret to seal (made here when none was given). */
export interface SubscriptionInput {
  name: string;
  url: string;
  secret: string;
  events: string[];
  registryId: string | null;
  chart: string | null;
  versionRange: string | null;
  includePrereleases: boolean;
  format: (typeof webhookFormats)[number];
}

const knownFields = new Set(Object.keys(createSchema.shape));
// Standard Webhooks asks for 24 to 64 random bytes; fewer than 16 is too guessable to sign with.
const minSecretBytes = 16;

/**
 * Validates a POST /subscriptions body: an unknown field is a 422 (never silently dropped), and
 * the target URL must be http(s), without user info, and not a refused destination
 * (forbidden_destination, checked on the literal host and on what its name resolves to now).
 */
export async function parseSubscriptionInput(body: unknown, policy: DestinationPolicy): Promise<SubscriptionInput> {
  if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    const unknown = Object.keys(body).filter((key) => !knownFields.has(key));
    if (unknown.length > 0) {
      throw new InputError(`Unknown field${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `"${k}"`).join(", ")} in the subscription`, {
        fields: unknown.map((field) => ({ field, message: "is not a field of a subscription" })),
      });
    }
  }
  const input = parseBody(createSchema, body);
  const secret = input.secret ?? `whsec_${randomBytes(32).toString("base64")}`;
  if (webhookSecretBytes(secret).length < minSecretBytes) {
    throw new InputError(`The secret is shorter than ${minSecretBytes} bytes`, {
      fields: [{ field: "secret", message: `must be at least ${minSecretBytes} bytes (or whsec_ and the base64 of at least ${minSecretBytes} bytes)` }],
    });
  }
  return {
    name: input.name,
    url: await checkTargetUrl(input.url, policy),
    secret,
    events: [...new Set(input.events)],
    registryId: input.registry_id ?? null,
    chart: input.chart ?? null,
    versionRange: input.version_range?.trim() ?? null,
    includePrereleases: input.include_prereleases ?? false,
    format: input.format ?? "cloudevents",
  };
}

async function checkTargetUrl(raw: string, policy: DestinationPolicy): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw urlProblem(`"${raw.slice(0, 200)}" is not a valid absolute URL`, "must be an absolute http:// or https:// URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw urlProblem(`The URL scheme ${url.protocol} is not supported`, "must use http:// or https://");
  if (url.username !== "" || url.password !== "") {
    throw urlProblem("The URL contains a user name or password; deliveries are signed with the secret instead", "must not contain a user name or password");
  }
  try {
    assertAllowedHost(url, policy);
    await withinTime(resolveAllowedAddresses(url.hostname, policy), resolveTimeoutMs);
  } catch (err) {
    if (err instanceof CharthouseError && err.code === "forbidden_destination") {
      throw new InputError(err.message, {
        code: "forbidden_destination",
        cause: err,
        solution: "Use a public address for the webhook target",
        fields: [{ field: "url", message: "is a refused destination (link-local, cloud metadata, or a private network where those are blocked)" }],
      });
    }
    // A name that does not resolve yet is not refused: each delivery resolves and vets it again.
  }
  url.hash = "";
  return url.href;
}

// A lookup that takes longer is left to the delivery, which resolves and vets the name again.
const resolveTimeoutMs = 3_000;

async function withinTime(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

function urlProblem(message: string, fieldMessage: string): InputError {
  return new InputError(message, { fields: [{ field: "url", message: fieldMessage }] });
}
