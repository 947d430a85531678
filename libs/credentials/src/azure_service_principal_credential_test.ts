import { describe, expect, it } from "vitest";
import { InputError } from "@charthouse/errors";
import { validateCredentialInput } from "./validate_credential_input.ts";

const clientSecret = "Xy8Q~s3cr3t-value-EXAMPLE_0123456789";

function fieldsOf(body: unknown): { field: string; message: string }[] {
  try {
    validateCredentialInput("azure_service_principal", body);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    const input = err as InputError;
    expect(JSON.stringify({ message: input.message, fields: input.fields })).not.toContain("s3cr3t");
    return [...input.fields];
  }
  throw new Error("expected an InputError");
}

describe("azure_service_principal credentials", () => {
  it("accept a tenant, client ID and client secret, and show the client ID", () => {
    const body = { tenant_id: "contoso.onmicrosoft.com", client_id: "00000000-1111-2222-3333-444444444444", client_secret: clientSecret };
    const input = validateCredentialInput("azure_service_principal", body);
    expect(input.secret).toEqual(body);
    expect(input.public).toEqual({ username: body.client_id, provider_hint: "azure" });
  });

  it("names every bad field and never repeats the secret", () => {
    expect(fieldsOf({ tenant_id: "contoso/evil", client_id: "my-app", client_secret: `${clientSecret}\n\u0000` })).toEqual([
      { field: "tenant_id", message: "must be a directory (tenant) ID or domain" },
      { field: "client_id", message: "must be an application (client) ID, a GUID" },
      { field: "client_secret", message: "must not contain control characters or line breaks" },
    ]);
    expect(fieldsOf({ client_id: "00000000-1111-2222-3333-444444444444" })).toEqual([
      { field: "tenant_id", message: "is required" },
      { field: "client_secret", message: "is required" },
    ]);
  });
});
