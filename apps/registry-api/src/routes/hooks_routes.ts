import express, { Router, type Request, type RequestHandler, type Response } from "express";
import { Counter, type Registry } from "prom-client";
import { interpretPushEvent, type PushScope, type ReceiverKind } from "@charthouse/catalog";
import type { ReceiverTarget } from "@charthouse/db";
import { ConflictError, InputError, NotFoundError, UnauthorizedError } from "@charthouse/errors";
import { parseOciReference } from "@charthouse/registry-oci";
import type { ReceiverEventJson } from "@charthouse/api-types";
import type { ApiContext } from "../api_context.ts";
import { bearerMatches, githubSignatureMatches, secretMatches } from "../hooks_signature.ts";
import { isUuid } from "../path_ids.ts";
import { sendProblem } from "../problem.ts";
import { maxRequestBodyBytes } from "../request_body.ts";
import { requestSync } from "../sync_requests.ts";

/** How long a sender has to send its whole event; a slower one is cut off. */
export const hookBodyTimeoutMs = 10_000;

/** How long a GitHub delivery id is remembered, so a replay within it is refused. */
export const deliveryMemorySeconds = 7 * 24 * 3600;

/** Outcomes of an event posted to a receiver, as counted on /metrics. */
type HookOutcome = "synced" | "ignored" | "unauthorized" | "replayed" | "invalid";

/** What the hook endpoints need beyond ApiContext. */
export interface HooksRouteOptions {
  /** Where events are counted by kind and outcome (the service's /metrics registry). */
  metrics?: Registry;
}

/**
 * /hooks/{id} and /hooks/{id}/{secret}: events from registries, proven by the sender's secret
 * (bearer header, GitHub's HMAC signature, or Docker Hub's path segment) instead of an API token.
 * A valid push for the receiver's registry requests a sync with trigger `push` (of the one OCI
 * repository it names where it names one); anything else valid is a 202 saying why it was ignored.
 */
export function hooksRoutes(context: ApiContext, options: HooksRouteOptions = {}): Router {
  const { db, log } = context;
  const events = new Counter({
    name: "charthouse_receiver_events_total",
    help: "Events posted to receivers, by receiver kind and outcome (synced, ignored, unauthorized, replayed, invalid)",
    labelNames: ["kind", "outcome"] as const,
    registers: options.metrics === undefined ? [] : [options.metrics],
  });
  const router = Router();
  router.use(bodyDeadline(hookBodyTimeoutMs));
  router.use(express.raw({ limit: maxRequestBodyBytes, type: () => true }));

  const receive = async (req: Request, res: Response): Promise<void> => {
    const id = pathParam(req, "id") ?? "";
    const target = isUuid(id) ? await db.receivers.target(id.toLowerCase()) : null;
    const kind = (target?.kind ?? "unknown") as ReceiverKind | "unknown";
    const count = (outcome: HookOutcome): void => {
      events.inc({ kind, outcome });
    };
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (target === null || !proven(context, target, req, body)) {
      count("unauthorized");
      // Neither the secret given nor the header's value is logged.
      log.warn({ receiverId: target?.id ?? null, kind, remote: req.ip }, "Receiver event refused: bad or missing secret or signature");
      throw new UnauthorizedError("The event does not carry this receiver's secret or signature", {
        solution: "Configure the sender with the snippet shown when the receiver was created, or create a new receiver",
      });
    }
    const header = req.get("x-github-delivery");
    const delivery = target.kind === "github" && header !== undefined ? header.slice(0, 200) : undefined;
    if (delivery !== undefined && !(await db.receivers.rememberDelivery(target.id, delivery, deliveryMemorySeconds))) {
      count("replayed");
      log.warn({ receiverId: target.id, delivery }, "Receiver event refused: replayed GitHub delivery");
      throw new ConflictError(`GitHub delivery ${delivery} was already received`, {
        solution: "Nothing to do: the first delivery was taken; a redelivery of it is not taken twice",
      });
    }
    let decision;
    try {
      const parsed = parseJson(formPayload(body, req.get("content-type")) ?? body, target.kind);
      decision = interpretPushEvent(target.kind as ReceiverKind, { body: parsed, headers: lowerCaseHeaders(req) }, scopeOf(target));
    } catch (err) {
      count("invalid");
      log.info({ receiverId: target.id, kind, err: err instanceof Error ? err.message : String(err) }, "Receiver event refused: not the sender's shape");
      throw err;
    }
    if (decision.action === "ignore") {
      count("ignored");
      log.info({ receiverId: target.id, kind, reason: decision.reason }, "Receiver event ignored");
      const answer: ReceiverEventJson = { ignored: true, reason: decision.reason };
      res.status(202).json(answer);
      return;
    }
    let run;
    try {
      run = await requestSync(db, context.publisher, {
        registryId: target.registryId,
        trigger: "push",
        ...(decision.repository === undefined ? {} : { repository: decision.repository }),
      });
    } catch (err) {
      // Not taken: the sender's retry of this delivery must not be refused as a replay.
      if (delivery !== undefined) await db.receivers.forgetDelivery(target.id, delivery).catch(() => undefined);
      throw err;
    }
    count("synced");
    log.info(
      { receiverId: target.id, kind, registryId: target.registryId, syncRunId: run.syncRunId, reused: run.reused, repository: decision.repository ?? null, tags: decision.tags.slice(0, 20) },
      "Receiver event: sync requested",
    );
    const answer: ReceiverEventJson = { ignored: false, sync_id: run.syncRunId, repository: decision.repository ?? null };
    res.status(202).json(answer);
  };

  router.post("/:id", receive);
  router.post("/:id/:secret", receive);
  router.use((req, res) => {
    sendProblem(res, new NotFoundError(`Receivers take POST /hooks/{id} only, not ${req.method}`));
  });
  return router;
}

/** Whether the request carries what proves this receiver's sender. */
function proven(context: ApiContext, target: ReceiverTarget, req: Request, body: Buffer): boolean {
  const { proof } = target;
  const pathSecret = pathParam(req, "secret");
  if (target.kind === "dockerhub") return proof.kind === "hash" && pathSecret !== undefined && secretMatches(pathSecret, proof.hash);
  if (pathSecret !== undefined) return false;
  if (target.kind === "github") {
    if (proof.kind !== "sealed" || context.secretBox === null) return false;
    const opened = context.secretBox.open({ keyId: proof.keyId, ciphertext: proof.ciphertext }, target.id) as { secret?: unknown };
    return typeof opened.secret === "string" && githubSignatureMatches(req.get("x-hub-signature-256"), body, opened.secret);
  }
  return proof.kind === "hash" && bearerMatches(req.get("authorization"), proof.hash);
}

/** What an event may name: an HTTP registry's index, or the OCI repositories under the registry's path. */
function scopeOf(target: ReceiverTarget): PushScope {
  if (target.registryKind === "http_registry") return { kind: "http_registry" };
  return { kind: "oci_registry", path: parseOciReference(target.registryUrl).path };
}

/** The JSON of a form-encoded webhook (GitHub's `application/x-www-form-urlencoded` option: `payload=<json>`), or undefined. */
function formPayload(body: Buffer, contentType: string | undefined): Buffer | undefined {
  if (!(contentType ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded")) return undefined;
  const payload = new URLSearchParams(body.toString("utf8")).get("payload");
  return payload === null ? undefined : Buffer.from(payload, "utf8");
}

function parseJson(body: Buffer, kind: string): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch (err) {
    throw new InputError(`The ${kind} event is not valid JSON`, { cause: err, fields: [{ field: "body", message: "must be valid JSON" }] });
  }
}

function pathParam(req: Request, name: string): string | undefined {
  const value: unknown = req.params[name];
  return typeof value === "string" ? value : undefined;
}

function lowerCaseHeaders(req: Request): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  return headers;
}

/** Cuts off a sender that has not sent its whole request within `ms`. */
function bodyDeadline(ms: number): RequestHandler {
  return (req, _res, next) => {
    if (req.complete) {
      next();
      return;
    }
    const timer = setTimeout(() => req.destroy(), ms);
    const clear = (): void => clearTimeout(timer);
    req.once("end", clear);
    req.once("close", clear);
    next();
  };
}
