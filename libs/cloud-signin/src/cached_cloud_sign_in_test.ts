import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { CloudCredential, RegistryLogin } from "@charthouse/credentials";
import { cachedCloudSignIn } from "./cached_cloud_sign_in.ts";

const registryUrl = "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com";

function awsCredential(id: string, secretAccessKey = "secret-1"): CloudCredential {
  return { id, kind: "aws", secret: { access_key_id: "AKIAIOSFODNN7EXAMPLE", secret_access_key: secretAccessKey } };
}

/** An inner sign-in that counts its calls and issues numbered logins valid for `ttlMs`. */
function countingSignIn(clock: { now: number }, ttlMs: number | null) {
  const calls: string[] = [];
  let fail = false;
  const signIn = async (credential: CloudCredential, url: string): Promise<RegistryLogin> => {
    calls.push(`${credential.id} ${new URL(url).host}`);
    if (fail) throw new Error("provider down");
    return { type: "basic", username: "AWS", password: `p${calls.length}`, expiresAt: ttlMs === null ? null : clock.now + ttlMs };
  };
  return { signIn, calls, setFailing: (value: boolean) => void (fail = value) };
}

describe("cachedCloudSignIn()", () => {
  it("keeps a login until the margin before its expiry (at most half its lifetime)", async () => {
    const clock = { now: 1_000_000 };
    const inner = countingSignIn(clock, 12 * 3600_000);
    const signIn = cachedCloudSignIn(inner.signIn, { marginMs: 300_000, now: () => clock.now });
    const id = randomUUID();
    const first = await signIn(awsCredential(id), registryUrl);
    clock.now += 12 * 3600_000 - 300_001;
    expect(await signIn(awsCredential(id), `${registryUrl}/v2/charts/tags/list`)).toBe(first);
    clock.now += 1;
    expect(await signIn(awsCredential(id), registryUrl)).not.toBe(first);
    expect(inner.calls).toHaveLength(2);

    const short = countingSignIn(clock, 2_000);
    const shortSignIn = cachedCloudSignIn(short.signIn, { marginMs: 300_000, now: () => clock.now });
    const login = await shortSignIn(awsCredential(id), registryUrl);
    clock.now += 999;
    expect(await shortSignIn(awsCredential(id), registryUrl)).toBe(login);
    clock.now += 1;
    expect(await shortSignIn(awsCredential(id), registryUrl)).not.toBe(login);
  });

  it("keys the cache by credential, secret and registry host", async () => {
    const clock = { now: 0 };
    const inner = countingSignIn(clock, 3600_000);
    const signIn = cachedCloudSignIn(inner.signIn, { marginMs: 0, now: () => clock.now });
    const id = randomUUID();
    await signIn(awsCredential(id), registryUrl);
    await signIn(awsCredential(id), registryUrl);
    await signIn(awsCredential(id, "secret-2"), registryUrl);
    await signIn(awsCredential(randomUUID()), registryUrl);
    await signIn(awsCredential(id), "https://210987654321.dkr.ecr.eu-west-1.amazonaws.com");
    expect(inner.calls).toHaveLength(4);
  });

  it("does not cache a failed exchange, and forget drops only that credential at that host", async () => {
    const clock = { now: 0 };
    const inner = countingSignIn(clock, 3600_000);
    const signIn = cachedCloudSignIn(inner.signIn, { marginMs: 0, now: () => clock.now });
    const id = randomUUID();
    inner.setFailing(true);
    await expect(Promise.all([signIn(awsCredential(id), registryUrl), signIn(awsCredential(id), registryUrl)])).rejects.toThrow("provider down");
    expect(inner.calls).toHaveLength(1);
    inner.setFailing(false);
    const login = await signIn(awsCredential(id), registryUrl);
    expect(inner.calls).toHaveLength(2);

    const other = "https://210987654321.dkr.ecr.eu-west-1.amazonaws.com";
    await signIn(awsCredential(id), other);
    signIn.forget(id, `${registryUrl}/v2/`);
    expect(await signIn(awsCredential(id), other)).toMatchObject({ password: "p3" });
    expect(await signIn(awsCredential(id), registryUrl)).not.toBe(login);
    expect(inner.calls).toHaveLength(4);
  });
});
