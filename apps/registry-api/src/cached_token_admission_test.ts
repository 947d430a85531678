import type { UsableTokenRow } from "@charthouse/db";
import { UnauthorizedError } from "@charthouse/errors";
import { createLogger } from "@charthouse/logging";
import { describe, expect, it } from "vitest";
import { hashToken } from "./auth.ts";
import { CachedTokenAdmission, sharedTokenAdmission } from "./cached_token_admission.ts";

const log = createLogger("cached-token-admission-test", { level: "silent" });

/** Tokens by hash, as api_tokens holds them; counts lookups. */
class FakeTokens {
  readonly rows = new Map<string, UsableTokenRow>();
  lookups: string[] = [];

  findUsable(hash: string): Promise<UsableTokenRow | null> {
    this.lookups.push(hash);
    const row = this.rows.get(hash);
    return Promise.resolve(row && (row.expires_at === null || row.expires_at.getTime() > now) ? row : null);
  }

  touchLastUsed(): Promise<void> {
    return Promise.resolve();
  }

  add(value: string, expiresAt: Date | null = null): void {
    this.rows.set(hashToken(value), { id: `id-${value}`, organization_id: "org", scopes: ["read"], expires_at: expiresAt, stale: false });
  }
}

let now = Date.parse("2026-06-01T00:00:00Z");
const clock = (): number => now;

describe("CachedTokenAdmission", () => {
  it("admits a token again for its TTL without a lookup, keyed by the token's hash", async () => {
    const tokens = new FakeTokens();
    tokens.add("cht_a");
    const admission = new CachedTokenAdmission(tokens, log, { ttlMs: 5_000, now: clock });
    expect(await admission.admit("cht_a", "")).toMatchObject({ organizationId: "org", tokenId: "id-cht_a" });
    await admission.admit("cht_a", "");
    expect(tokens.lookups).toEqual([hashToken("cht_a")]);
    expect(tokens.lookups.join()).not.toContain("cht_a");
  });

  it("stops admitting a revoked token once its TTL has passed", async () => {
    const tokens = new FakeTokens();
    tokens.add("cht_b");
    const admission = new CachedTokenAdmission(tokens, log, { ttlMs: 5_000, now: clock });
    await admission.admit("cht_b", "");
    tokens.rows.clear();
    now += 4_000;
    await expect(admission.admit("cht_b", "")).resolves.toMatchObject({ tokenId: "id-cht_b" });
    now += 1_000;
    await expect(admission.admit("cht_b", "")).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("stops admitting a token it is told was revoked at once, and keeps admitting the others", async () => {
    const tokens = new FakeTokens();
    tokens.add("cht_r");
    tokens.add("cht_s");
    const admission = new CachedTokenAdmission(tokens, log, { ttlMs: 5_000, now: clock });
    await admission.admit("cht_r", "");
    await admission.admit("cht_s", "");
    tokens.rows.delete(hashToken("cht_r"));
    admission.forget("id-cht_r");
    await expect(admission.admit("cht_r", "")).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(admission.admit("cht_s", "")).resolves.toMatchObject({ tokenId: "id-cht_s" });
    expect(tokens.lookups).toHaveLength(3);
  });

  it("never remembers a token past its expiry, nor a refused one", async () => {
    const tokens = new FakeTokens();
    tokens.add("cht_c", new Date(now + 1_000));
    const admission = new CachedTokenAdmission(tokens, log, { ttlMs: 5_000, now: clock });
    await admission.admit("cht_c", "");
    now += 1_000;
    await expect(admission.admit("cht_c", "")).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(admission.admit("cht_unknown", "")).rejects.toBeInstanceOf(UnauthorizedError);
    tokens.add("cht_unknown");
    await expect(admission.admit("cht_unknown", "")).resolves.toMatchObject({ tokenId: "id-cht_unknown" });
  });

  it("remembers a bounded number of tokens", async () => {
    const tokens = new FakeTokens();
    for (const value of ["cht_1", "cht_2", "cht_3"]) tokens.add(value);
    const admission = new CachedTokenAdmission(tokens, log, { ttlMs: 5_000, maxTokens: 2, now: clock });
    for (const value of ["cht_1", "cht_2", "cht_3", "cht_1"]) await admission.admit(value, "");
    expect(tokens.lookups).toHaveLength(4);
  });

  it("is one admission per token repository, so the API's and the Helm repositories' routers forget a revoked token together", () => {
    const tokens = new FakeTokens();
    expect(sharedTokenAdmission(tokens, log)).toBe(sharedTokenAdmission(tokens, log));
    expect(sharedTokenAdmission(new FakeTokens(), log)).not.toBe(sharedTokenAdmission(tokens, log));
  });
});
