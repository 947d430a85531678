import { queueReopenedVersions } from "@charthouse/catalog";
import type { ReopenedVersion } from "@charthouse/catalog";
import type { Logger } from "@charthouse/logging";
import type { DeadLetter, DeadLetterStream, Publisher } from "@charthouse/messaging";
import type { ApiRepositories } from "./api_repositories.ts";
import { requestSync } from "./sync_requests.ts";

/** Why a dead letter was not replayed. */
export type ReplaySkipCode =
  /** Its registry or version was deleted: nothing to replay; the dead letter is removed. */
  | "gone"
  /** Its version is ready or removed from the index: nothing left to do; the dead letter is removed. */
  | "settled"
  /** Another replay or sweep is re-opening the version right now; the dead letter is kept. */
  | "busy"
  /** The version has no archive URL to download from; the dead letter is kept. */
  | "no_download_url"
  /** Its payload cannot be read, or its subject is not one Charthouse replays; the dead letter is kept. */
  | "unreadable";

/** What happened to one dead letter. */
export interface ReplayOutcome {
  id: number;
  subject: string;
  outcome: "replayed" | "skipped";
  /** Why it was skipped; null when replayed. */
  reason: { code: ReplaySkipCode; message: string } | null;
  /** Whether it left the dead-letter stream (every replayed one, and skipped ones with nothing left to replay). */
  removed: boolean;
}

/** What a replay needs. */
export interface ReplayDependencies {
  db: ApiRepositories;
  publisher: Publisher;
  deadLetters: DeadLetterStream;
  log: Logger;
}

type Verdict = Omit<ReplayOutcome, "id" | "subject">;

const replayed: Verdict = { outcome: "replayed", reason: null, removed: true };
const skip = (code: ReplaySkipCode, message: string): Verdict => ({
  outcome: "skipped",
  reason: { code, message },
  removed: code === "gone" || code === "settled",
});

/** The subjects whose dead letters concern a version (re-opened) and those that concern a sync (requested again). */
const versionSubject = /^chart\.(download\.requested|downloaded)\.v\d+$/;
const syncSubject = /^sync\.requested\.(http|oci)\.v\d+$/;

/**
 * Sends dead letters back: a version's (download or extraction given up) re-opens the version
 * (back to `discovered`, its download queued again under a new round), a sync's requests a new
 * sync of its registry. Each replayed dead letter then leaves the stream; one whose object is gone
 * or already settled is removed with the reason, others that cannot be replayed stay. At most
 * one page (500) at a time: one query and one re-open for all its versions.
 */
export async function replayDeadLetters(deps: ReplayDependencies, letters: readonly DeadLetter[]): Promise<ReplayOutcome[]> {
  const verdicts = new Map<number, Verdict>();
  const versionLetters = letters.filter((l) => versionSubject.test(l.subject) && l.concerns.versionId !== null);
  const syncLetters = letters.filter((l) => syncSubject.test(l.subject) && l.concerns.registryId !== null);
  for (const letter of letters) {
    if (!versionLetters.includes(letter) && !syncLetters.includes(letter)) {
      verdicts.set(letter.seq, skip("unreadable", `A ${letter.subject} dead letter without the registry or version it concerns cannot be replayed`));
    }
  }
  for (const [seq, verdict] of await replayVersions(deps, versionLetters)) verdicts.set(seq, verdict);
  for (const [seq, verdict] of await replaySyncs(deps, syncLetters)) verdicts.set(seq, verdict);

  const outcomes = letters.map((l): ReplayOutcome => ({ id: l.seq, subject: l.subject, ...verdicts.get(l.seq)! }));
  await removeAll(deps.deadLetters, outcomes.filter((o) => o.removed).map((o) => o.id));
  const count = outcomes.filter((o) => o.outcome === "replayed").length;
  if (outcomes.length > 0) deps.log.info({ replayed: count, skipped: outcomes.length - count }, "Replayed dead letters");
  return outcomes;
}

async function replayVersions(deps: ReplayDependencies, letters: readonly DeadLetter[]): Promise<Map<number, Verdict>> {
  const verdicts = new Map<number, Verdict>();
  if (letters.length === 0) return verdicts;
  const ids = [...new Set(letters.map((l) => l.concerns.versionId!))];
  const rows = await deps.db.deadLetterTargets.versions(ids);
  const byId = new Map(rows.map((r) => [r.id, r]));
  // A version stored before download URLs were recorded is downloaded from its dead letter's own URL.
  const letterUrls = new Map<string, string>();
  for (const letter of letters) {
    const url = letter.payload?.["url"];
    if (typeof url === "string" && /^(https?|oci):\/\//.test(url)) letterUrls.set(letter.concerns.versionId!, url);
  }
  const reopenable = ids.filter((id) => {
    const row = byId.get(id);
    return row !== undefined && row.state !== "ready" && row.state !== "removed" && (row.has_url || letterUrls.has(id));
  });
  const reopened = await deps.db.chartVersions.reopen(reopenable);
  const withUrls: ReopenedVersion[] = reopened.map((v) => (v.downloadUrl === null ? { ...v, downloadUrl: letterUrls.get(v.id) ?? null } : v));
  await queueReopenedVersions(deps.publisher, withUrls);
  const reopenedIds = new Set(reopened.map((v) => v.id));

  for (const letter of letters) {
    const id = letter.concerns.versionId!;
    const row = byId.get(id);
    let verdict: Verdict;
    if (reopenedIds.has(id)) verdict = replayed;
    else if (row === undefined) verdict = skip("gone", `Version ${id} no longer exists (its registry or chart was deleted)`);
    else if (row.state === "ready") verdict = skip("settled", `Version ${id} is ready already: nothing to replay`);
    else if (row.state === "removed") verdict = skip("settled", `Version ${id} was removed from its registry's index: nothing to replay`);
    else if (!row.has_url && !letterUrls.has(id)) verdict = skip("no_download_url", `Version ${id} has no archive URL to download from; sync its registry again`);
    else verdict = skip("busy", `Version ${id} is being re-opened elsewhere right now; replay it again later`);
    verdicts.set(letter.seq, verdict);
  }
  return verdicts;
}

async function replaySyncs(deps: ReplayDependencies, letters: readonly DeadLetter[]): Promise<Map<number, Verdict>> {
  const verdicts = new Map<number, Verdict>();
  if (letters.length === 0) return verdicts;
  const ids = [...new Set(letters.map((l) => l.concerns.registryId!))];
  const existing = await deps.db.deadLetterTargets.existingRegistries(ids);
  // One new sync per registry, however many of its syncs were given up (an active one is reused).
  for (const registryId of ids) {
    if (existing.has(registryId)) await requestSync(deps.db, deps.publisher, { registryId, trigger: "manual" });
  }
  for (const letter of letters) {
    const registryId = letter.concerns.registryId!;
    verdicts.set(letter.seq, existing.has(registryId) ? replayed : skip("gone", `Registry ${registryId} no longer exists`));
  }
  return verdicts;
}

async function removeAll(deadLetters: DeadLetterStream, seqs: readonly number[]): Promise<void> {
  for (let i = 0; i < seqs.length; i += 50) {
    await Promise.all(seqs.slice(i, i + 50).map((seq) => deadLetters.remove(seq)));
  }
}
