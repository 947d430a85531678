import { describe, expect, it } from "vitest";
import { InputError } from "@charthouse/errors";
import { parseStoredCredential, validateCredentialInput } from "./validate_credential_input.ts";

function inputError(run: () => unknown): InputError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error("expected an InputError");
}

describe("validateCredentialInput()", () => {
  it("returns the typed secret and the public fields", () => {
    expect(validateCredentialInput("basic", { name: "harbor", username: " robot$ci ", password: " pa ss " })).toEqual({
      kind: "basic",
      secret: { username: "robot$ci", password: " pa ss " },
      public: { username: "robot$ci" },
    });
    expect(validateCredentialInput("token", { token: "ghp_abc\n" })).toEqual({ kind: "token", secret: { token: "ghp_abc" }, public: {} });
    expect(validateCredentialInput("token", { token: "dckr_pat_x", username: "me" }).public).toEqual({ username: "me" });
  });

  it("names every bad field", () => {
    const err = inputError(() => validateCredentialInput("basic", { username: "a:b" }));
    expect(err.fields).toEqual([
      { field: "username", message: "must not contain ':'" },
      { field: "password", message: "is required" },
    ]);
    expect(inputError(() => validateCredentialInput("token", { token: "" })).fields).toEqual([{ field: "token", message: "must not be empty" }]);
    expect(inputError(() => validateCredentialInput("token", { token: 42 })).fields).toEqual([{ field: "token", message: "must be a string" }]);
    expect(inputError(() => validateCredentialInput("ssh_key", {})).fields[0]?.field).toBe("kind");
    expect(inputError(() => validateCredentialInput("basic", "nope")).fields[0]).toEqual({ field: "body", message: "must be a JSON object" });
  });

  it("never repeats a secret in its errors", () => {
    const secrets = ["hunter2-very-secret", "ghp with spaces s3cret"];
    const basic = inputError(() => validateCredentialInput("basic", { username: "user\nname", password: `${secrets[0]}\r\n` }));
    const token = inputError(() => validateCredentialInput("token", { token: secrets[1], username: "x".repeat(300) }));
    for (const err of [basic, token]) {
      const text = JSON.stringify({ message: err.message, fields: err.fields, solution: err.solution });
      for (const value of secrets) expect(text).not.toContain(value);
    }
    expect(token.fields.map((f) => f.field)).toEqual(["token", "username"]);
  });
});

describe("parseStoredCredential()", () => {
  it("accepts a stored secret that fits its kind and refuses one that does not, without its content", () => {
    expect(parseStoredCredential("token", { token: "t" }, "c1")).toEqual({ kind: "token", secret: { token: "t" } });
    expect(() => parseStoredCredential("basic", { username: "u", pw: "hunter2" }, "c1")).toThrow(/^(?![\s\S]*hunter2)[\s\S]*c1/);
  });
});
