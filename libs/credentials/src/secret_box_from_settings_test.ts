import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { InputError } from "@charthouse/errors";
import { secretBoxFromSettings } from "./secret_box_from_settings.ts";

const newKey = (): string => randomBytes(32).toString("base64");
const credentialId = "7d1f4b0e-58c1-4c8e-9d7a-3f0a1b2c3d4e";

describe("secretBoxFromSettings()", () => {
  it("seals with the current key and opens secrets under any previous key", () => {
    const [oldest, old, current] = [newKey(), newKey(), newKey()];
    const sealedOldest = secretBoxFromSettings({ secretKey: oldest }).seal({ token: "t1" }, credentialId);
    const sealedOld = secretBoxFromSettings({ secretKey: old }).seal({ token: "t2" }, credentialId);
    const box = secretBoxFromSettings({ secretKey: current, previousSecretKeys: ` ${old} ,${oldest},,${current}` });
    expect(box.open(sealedOldest, credentialId)).toEqual({ token: "t1" });
    expect(box.open(sealedOld, credentialId)).toEqual({ token: "t2" });
    expect(box.seal({ token: "t3" }, credentialId).keyId).toBe(box.currentKeyId);
    expect(() => secretBoxFromSettings({ secretKey: current }).open(sealedOld, credentialId)).toThrow(/not configured/);
  });

  it("names the previous key that is malformed, never its value", () => {
    const short = randomBytes(16).toString("base64");
    let caught: unknown;
    try {
      secretBoxFromSettings({ secretKey: newKey(), previousSecretKeys: `${newKey()},${short}` });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).message).toContain("CHARTHOUSE_PREVIOUS_SECRET_KEYS (key 2)");
    expect((caught as InputError).message).not.toContain(short);
  });
});
