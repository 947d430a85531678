import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { reencrypt } from "./reencrypt.ts";
import { SealedSecretError } from "./sealed_secret_error.ts";
import { createSecretBox, type SealedSecret } from "./secret_box.ts";
import { secretKeyId } from "./secret_key.ts";

const newKey = (): { id: string; key: Uint8Array } => {
  const key = new Uint8Array(randomBytes(32));
  return { id: secretKeyId(key), key };
};
const secret = { username: "robot", password: "hunter2-s3cret" };
const credentialId = "7d1f4b0e-58c1-4c8e-9d7a-3f0a1b2c3d4e";

function flipByte(sealed: SealedSecret, at: number): SealedSecret {
  const bytes = Buffer.from(sealed.ciphertext, "base64");
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  return { ...sealed, ciphertext: bytes.toString("base64") };
}

function openError(run: () => unknown): SealedSecretError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(SealedSecretError);
    return err as SealedSecretError;
  }
  throw new Error("expected open() to fail");
}

describe("createSecretBox()", () => {
  it("round-trips a secret and never stores it in clear", () => {
    const box = createSecretBox({ current: newKey() });
    const sealed = box.seal(secret, credentialId);
    expect(sealed.keyId).toBe(box.currentKeyId);
    expect(Buffer.from(sealed.ciphertext, "base64").toString("latin1")).not.toContain("hunter2");
    expect(box.open(sealed, credentialId)).toEqual(secret);
  });

  it("uses a fresh IV for every seal", () => {
    const box = createSecretBox({ current: newKey() });
    expect(box.seal(secret, credentialId).ciphertext).not.toBe(box.seal(secret, credentialId).ciphertext);
  });

  it("detects a flipped byte in the IV, the tag or the ciphertext", () => {
    const box = createSecretBox({ current: newKey() });
    const sealed = box.seal(secret, credentialId);
    for (const at of [0, 12, 30]) {
      const err = openError(() => box.open(flipByte(sealed, at), credentialId));
      expect(err.message).toContain(credentialId);
      expect(err.message).not.toContain("hunter2");
    }
  });

  it("refuses a secret moved to another credential's row", () => {
    const box = createSecretBox({ current: newKey() });
    const sealed = box.seal(secret, credentialId);
    openError(() => box.open(sealed, "00000000-0000-0000-0000-000000000000"));
  });

  it("refuses a secret under another key, and names an unknown key id", () => {
    const key = newKey();
    const sealed = createSecretBox({ current: key }).seal(secret, credentialId);
    const impostor = createSecretBox({ current: { id: key.id, key: new Uint8Array(randomBytes(32)) } });
    openError(() => impostor.open(sealed, credentialId));
    const other = createSecretBox({ current: newKey() });
    expect(openError(() => other.open(sealed, credentialId)).message).toContain(key.id);
  });

  it("rejects keys that are not 32 bytes", () => {
    expect(() => createSecretBox({ current: { id: "short", key: new Uint8Array(16) } })).toThrow(/32 bytes/);
  });
});

describe("reencrypt()", () => {
  it("moves a secret to the new key while the old one is still accepted", () => {
    const oldKey = newKey();
    const newer = newKey();
    const before = createSecretBox({ current: oldKey });
    const sealed = before.seal(secret, credentialId);
    const rotating = createSecretBox({ current: newer, previous: [oldKey] });
    expect(rotating.open(sealed, credentialId)).toEqual(secret);

    const rotated = reencrypt(sealed, { credentialId, from: rotating, to: rotating });
    expect(rotated.keyId).toBe(newer.id);
    expect(reencrypt(rotated, { credentialId, from: rotating, to: rotating })).toBe(rotated);

    const after = createSecretBox({ current: newer });
    expect(after.open(rotated, credentialId)).toEqual(secret);
    openError(() => after.open(sealed, credentialId));
  });
});
