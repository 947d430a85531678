import { InputError } from "@charthouse/errors";

/** The senders a receiver takes events from; each has its own payload shape and proof. */
export const receiverKinds = ["distribution", "harbor", "dockerhub", "github", "acr", "cloudevents", "generic"] as const;

/** A sender a receiver takes events from. */
export type ReceiverKind = (typeof receiverKinds)[number];

/** What part of a registry a receiver's events can name: an HTTP index, or OCI repositories under a path. */
export type PushScope = { kind: "http_registry" } | { kind: "oci_registry"; path: string };

/** What an event asks for: a sync (of one OCI repository, or of the whole registry), or nothing, and why. */
export type PushDecision =
  | { action: "sync"; repository: string | undefined; tags: string[] }
  | { action: "ignore"; reason: string };

/** The request an event came in: its JSON body and its headers (lower-case names). */
export interface PushEventInput {
  body: unknown;
  headers: Readonly<Record<string, string | undefined>>;
}

/** One thing an event says happened. */
type Happening = { push: true; repository: string | undefined; tag: string | undefined } | { push: false; why: string };

/**
 * Reads a sender's event and decides what to sync: the one OCI repository it names when that
 * is inside the registry, the whole registry when it names several (or, for an HTTP registry,
 * always the index), and nothing for pulls, blob uploads, deletes or other repositories. A body
 * that is not the sender's shape is an InputError naming what is missing.
 */
export function interpretPushEvent(kind: ReceiverKind, input: PushEventInput, scope: PushScope): PushDecision {
  const happenings = readers[kind](input);
  const pushes = happenings.filter((h): h is Extract<Happening, { push: true }> => h.push);
  if (pushes.length === 0) {
    const reasons = [...new Set(happenings.map((h) => (h.push ? "" : h.why)))];
    return { action: "ignore", reason: bounded(reasons.join("; ") || "the event names no push") };
  }
  const tags = [...new Set(pushes.flatMap((p) => (p.tag === undefined ? [] : [p.tag])))];
  if (scope.kind === "http_registry") return { action: "sync", repository: undefined, tags };
  const inside = pushes.filter((p) => p.repository === undefined || isInside(p.repository, scope.path));
  if (inside.length === 0) {
    const named = [...new Set(pushes.map((p) => p.repository))].join(", ");
    const where = scope.path === "" ? "this registry" : `"${scope.path}"`;
    return { action: "ignore", reason: bounded(`the event is for repository ${named}, not in ${where}`) };
  }
  const repositories = new Set(inside.map((p) => p.repository));
  const only = repositories.size === 1 ? [...repositories][0] : undefined;
  return { action: "sync", repository: only, tags: [...new Set(inside.flatMap((p) => (p.tag === undefined ? [] : [p.tag])))] };
}

/** A reason short enough for an answer and a log line, whatever the sender put in its event. */
function bounded(reason: string): string {
  return reason.length <= 300 ? reason : `${reason.slice(0, 299)}…`;
}

function isInside(repository: string, path: string): boolean {
  return path === "" || repository === path || repository.startsWith(`${path}/`);
}

const readers: Record<ReceiverKind, (input: PushEventInput) => Happening[]> = {
  distribution: ({ body }) => {
    const events = field(body, "events");
    if (!Array.isArray(events)) throw shapeError("distribution", "events must be an array (docker-registry's notifications envelope)");
    return events.map((event, index) => registryEvent(event, `events[${index}]`));
  },
  acr: ({ body }) => {
    // Event Grid delivers an array of events whose data is the webhook's event.
    if (Array.isArray(body)) {
      return body.map((event, index) => {
        const type = text(field(event, "eventType"));
        if (type !== undefined && !/(ImagePushed|ChartPushed)$/.test(type)) return { push: false, why: `a ${type} event` };
        return registryEvent(field(event, "data"), `[${index}].data`);
      });
    }
    return [registryEvent(body, "body")];
  },
  harbor: ({ body }) => {
    const type = text(field(body, "type"));
    if (type === undefined) throw shapeError("harbor", "type is missing (Harbor's webhook payload has type PUSH_ARTIFACT, PULL_ARTIFACT, ...)");
    // Harbor's CloudEvents format carries the same event_data as `data`.
    const cloudEvent = text(field(body, "specversion")) !== undefined;
    if (!(type === "PUSH_ARTIFACT" || type === "harbor.artifact.pushed")) return [{ push: false, why: `a ${type} event` }];
    const data = field(body, cloudEvent ? "data" : "event_data");
    const repository = text(field(field(data, "repository"), "repo_full_name"));
    if (repository === undefined) throw shapeError("harbor", "event_data.repository.repo_full_name is missing");
    const resources = field(data, "resources");
    const tags = Array.isArray(resources) ? resources.map((r) => text(field(r, "tag"))) : [];
    return (tags.length > 0 ? tags : [undefined]).map((tag) => ({ push: true, repository, tag }));
  },
  dockerhub: ({ body }) => {
    const repository = text(field(field(body, "repository"), "repo_name"));
    if (repository === undefined) throw shapeError("dockerhub", "repository.repo_name is missing (Docker Hub's webhook payload)");
    const tag = text(field(field(body, "push_data"), "tag"));
    return [{ push: true, repository, tag }];
  },
  github: ({ body, headers }) => {
    const event = headers["x-github-event"];
    if (event === "ping") return [{ push: false, why: "a ping" }];
    if (event !== "registry_package" && event !== "package") {
      return [{ push: false, why: event === undefined ? "no X-GitHub-Event header" : `a ${event} event` }];
    }
    const action = text(field(body, "action"));
    if (action !== "published" && action !== "updated") return [{ push: false, why: `a ${event} ${action ?? "(no action)"} event` }];
    const pkg = field(body, event);
    if (typeof pkg !== "object" || pkg === null) throw shapeError("github", `${event} is missing`);
    const type = (text(field(pkg, "package_type")) ?? text(field(pkg, "ecosystem")) ?? "").toLowerCase();
    if (type !== "container" && type !== "docker") return [{ push: false, why: `a ${type || "non-container"} package, not an OCI artifact` }];
    const version = field(pkg, "package_version");
    const tag = text(field(field(field(version, "container_metadata"), "tag"), "name"));
    const fromUrl = ghcrRepository(text(field(version, "package_url")));
    const owner = text(field(pkg, "namespace")) ?? text(field(field(pkg, "owner"), "login"));
    const name = text(field(pkg, "name"));
    const repository = fromUrl ?? (owner !== undefined && name !== undefined ? `${owner}/${name}`.toLowerCase() : undefined);
    if (repository === undefined) throw shapeError("github", `${event}.name and its owner are missing`);
    return [{ push: true, repository, tag: tag === "" ? undefined : tag }];
  },
  cloudevents: ({ body, headers }) => {
    // Binary mode: the attributes are ce-* headers and the body is the data.
    const binary = headers["ce-specversion"] !== undefined;
    const specversion = binary ? headers["ce-specversion"] : text(field(body, "specversion"));
    if (specversion !== "1.0") throw shapeError("cloudevents", "specversion must be \"1.0\" (a CloudEvents 1.0 event, structured or binary)");
    const type = binary ? headers["ce-type"] : text(field(body, "type"));
    if (type === undefined) throw shapeError("cloudevents", "type is missing");
    if (!/(\.image\.updated|\.image\.pushed|\.artifact\.pushed|\.chart\.pushed)$/.test(type)) return [{ push: false, why: `a ${type} event` }];
    const data = binary ? body : field(body, "data");
    const subject = binary ? headers["ce-subject"] : text(field(body, "subject"));
    const repository = text(field(data, "name")) ?? text(field(data, "repository")) ?? subject;
    const tag = text(field(data, "reference")) ?? text(field(data, "tag"));
    return [{ push: true, repository, tag: tag?.startsWith("sha256:") ? undefined : tag }];
  },
  generic: ({ body }) => {
    // Anything that can send a header: an empty object syncs the registry, `repository` narrows it.
    const repository = field(body, "repository");
    const tag = field(body, "tag");
    if (repository !== undefined && text(repository) === undefined) throw shapeError("generic", "repository must be a non-empty string");
    return [{ push: true, repository: text(repository), tag: text(tag) }];
  },
};

/** A docker-registry style event (distribution, ACR): a push of a manifest, or something else. */
function registryEvent(event: unknown, at: string): Happening {
  const action = text(field(event, "action"));
  if (action === undefined) throw shapeError("registry", `${at}.action is missing`);
  if (action !== "push" && action !== "chart_push") return { push: false, why: `a ${action}` };
  const target = field(event, "target");
  const repository = text(field(target, "repository"));
  if (repository === undefined) throw shapeError("registry", `${at}.target.repository is missing`);
  const mediaType = text(field(target, "mediaType")) ?? "";
  if (action === "push" && !isManifestMediaType(mediaType)) return { push: false, why: `a blob push (${mediaType || "no media type"})` };
  return { push: true, repository, tag: text(field(target, "tag")) };
}

/** Manifests and indexes (the pushes that make a tag); layers and configs are blobs. */
function isManifestMediaType(mediaType: string): boolean {
  return /manifest|image\.index|helm\.chart$/.test(mediaType) && !/layer|config/.test(mediaType);
}

/** The repository of a `ghcr.io/owner/name:tag` package URL. */
function ghcrRepository(packageUrl: string | undefined): string | undefined {
  if (packageUrl === undefined) return undefined;
  const withoutHost = packageUrl.replace(/^[a-z]+:\/\//, "").split("/").slice(1).join("/");
  const repository = withoutHost.replace(/[:@].*$/, "");
  return repository === "" ? undefined : repository.toLowerCase();
}

function field(value: unknown, name: string): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  return (value as Record<string, unknown>)[name];
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function shapeError(sender: string, what: string): InputError {
  return new InputError(`The event is not a ${sender} event: ${what}`, {
    fields: [{ field: "body", message: what }],
  });
}
