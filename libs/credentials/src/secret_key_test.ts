import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { InputError } from "@charthouse/errors";
import { parseSecretKey, secretKeyId } from "./secret_key.ts";

describe("parseSecretKey()", () => {
  it("decodes 32 bytes of base64 or base64url", () => {
    const bytes = randomBytes(32);
    expect(parseSecretKey(bytes.toString("base64"))).toEqual(new Uint8Array(bytes));
    expect(parseSecretKey(bytes.toString("base64url"))).toEqual(new Uint8Array(bytes));
  });

  it("names CHARTHOUSE_SECRET_KEY and never repeats the value", () => {
    const short = randomBytes(16).toString("base64");
    for (const value of [undefined, "", "not base64!", short]) {
      let caught: unknown;
      try {
        parseSecretKey(value);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(InputError);
      const err = caught as InputError;
      expect(err.fields[0]?.field).toBe("CHARTHOUSE_SECRET_KEY");
      if (value) expect(err.message).not.toContain(value);
    }
  });
});

describe("secretKeyId()", () => {
  it("is stable for a key and differs between keys", () => {
    const key = new Uint8Array(randomBytes(32));
    expect(secretKeyId(key)).toBe(secretKeyId(Uint8Array.from(key)));
    expect(secretKeyId(key)).not.toBe(secretKeyId(new Uint8Array(randomBytes(32))));
  });
});
