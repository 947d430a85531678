import { describe, expect, it } from "vitest";
import { InputError } from "@charthouse/errors";
import { validateCredentialInput } from "./validate_credential_input.ts";

const secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

function fieldsOf(body: unknown): { field: string; message: string }[] {
  try {
    validateCredentialInput("aws", body);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    const input = err as InputError;
    expect(JSON.stringify({ message: input.message, fields: input.fields })).not.toContain("EXAMPLEKEY");
    return [...input.fields];
  }
  throw new Error("expected an InputError");
}

describe("aws credentials", () => {
  it("accept an access key with optional session token and region, and show the access key ID", () => {
    const input = validateCredentialInput("aws", {
      access_key_id: "AKIAIOSFODNN7EXAMPLE",
      secret_access_key: secretAccessKey,
      session_token: "FwoGZXIvYXdzEXAMPLE",
      region: "eu-west-1",
    });
    expect(input.public).toEqual({ username: "AKIAIOSFODNN7EXAMPLE", provider_hint: "aws" });
    expect(input.secret).toEqual({
      access_key_id: "AKIAIOSFODNN7EXAMPLE",
      secret_access_key: secretAccessKey,
      session_token: "FwoGZXIvYXdzEXAMPLE",
      region: "eu-west-1",
    });
  });

  it("names every bad field and never repeats the secret", () => {
    expect(fieldsOf({ access_key_id: "akia-lower", secret_access_key: `${secretAccessKey} x`, region: "Europe" })).toEqual([
      { field: "access_key_id", message: "must be an AWS access key ID (16 or more capital letters and digits, e.g. AKIA...)" },
      { field: "secret_access_key", message: "must be printable ASCII without spaces" },
      { field: "region", message: "must be an AWS region such as eu-west-1" },
    ]);
    expect(fieldsOf({ access_key_id: "AKIAIOSFODNN7EXAMPLE" })).toEqual([{ field: "secret_access_key", message: "is required" }]);
  });
});
