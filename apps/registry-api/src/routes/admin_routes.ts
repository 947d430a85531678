import { Router } from "express";
import { z } from "zod";
import { deadLetterPageMax, type DeadLetterStream } from "@charthouse/messaging";
import type { ApiContext } from "../api_context.ts";
import { requireScope } from "../auth.ts";
import { replayDeadLetters, type ReplayOutcome } from "../dead_letter_replay.ts";
import { requireOperator } from "../operator_scope.ts";
import { decodeOffsetCursor, encodeOffsetCursor, parsePageRequest } from "../pagination.ts";
import {
  checkDeadLetterFilter,
  deadLetterFilterOfQuery,
  deadLetterId,
  getDeadLetter,
  listDeadLetters,
  pageFilterOf,
} from "../queries/dead_letter_queries.ts";
import { parseBody } from "../request_body.ts";

/** The most dead letters one POST /admin/dead-letters/replay sends back; next_cursor says where to go on. */
export const replayBatchMax = 2_000;

// The filter fields are checked with the list's own rules (checkDeadLetterFilter), every problem at once.
const replayFilterSchema = z.object({
  subject: z.unknown().optional(),
  registry_id: z.unknown().optional(),
  code: z.unknown().optional(),
  cursor: z.string({ error: "must be the next_cursor of a previous answer" }).nullish(),
});

/** The answer of both replay routes. */
interface ReplayJson {
  replayed: number;
  skipped: number;
  items: ReplayOutcome[];
  /** Set when more dead letters may match than one call replays: send it back as `cursor`. */
  next_cursor: string | null;
}

/**
 * /admin: what only the operator (an admin token of the default organisation) may do, across
 * every organisation. Dead letters: list them (filtered, paged), replay one, or replay every one
 * that matches a filter.
 */
export function adminRoutes(context: ApiContext, deadLetters: DeadLetterStream): Router {
  const { db } = context;
  const router = Router();
  const operator = [requireScope("admin"), requireOperator(db, "read or replay dead letters")];
  const deps = { db, publisher: context.publisher, deadLetters, log: context.log };

  router.get("/admin/dead-letters", ...operator, async (req, res) => {
    res.json(await listDeadLetters(deadLetters, deadLetterFilterOfQuery(req.query), parsePageRequest(req.query)));
  });

  router.post("/admin/dead-letters/:id/replay", ...operator, async (req, res) => {
    const letter = await getDeadLetter(deadLetters, deadLetterId(req.params["id"]));
    res.json(replayJson(await replayDeadLetters(deps, [letter]), null));
  });

  router.post("/admin/dead-letters/replay", ...operator, async (req, res) => {
    const body = parseBody(replayFilterSchema, req.body);
    const pageFilter = pageFilterOf(checkDeadLetterFilter(body));
    let after = decodeOffsetCursor(body.cursor ?? undefined);
    const outcomes: ReplayOutcome[] = [];
    let more = true;
    // A page at a time (never the whole stream in memory), at most replayBatchMax per call.
    while (more && outcomes.length < replayBatchMax) {
      const page = await deadLetters.page({ after, limit: Math.min(deadLetterPageMax, replayBatchMax - outcomes.length), ...pageFilter });
        outcomes.push(...(await replayDeadLetters(deps, page.items)));
      more = page.nextAfter !== null;
      if (page.nextAfter !== null) after = page.nextAfter;
    }
    res.json(replayJson(outcomes, more ? encodeOffsetCursor(after) : null));
  });

  return router;
}

function replayJson(items: ReplayOutcome[], nextCursor: string | null): ReplayJson {
  const replayed = items.filter((i) => i.outcome === "replayed").length;
  return { replayed, skipped: items.length - replayed, items, next_cursor: nextCursor };
}
