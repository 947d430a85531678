import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { InputError } from "@charthouse/errors";
import { defaultGoogleTokenUri } from "./gcp_service_account_credential.ts";
import { validateCredentialInput } from "./validate_credential_input.ts";

const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const keyFile = {
  type: "service_account",
  project_id: "charts-prod",
  private_key_id: "0123abcd",
  private_key: privateKey,
  client_email: "charthouse@charts-prod.iam.gserviceaccount.com",
  client_id: "1234567890",
  auth_uri: "https://accounts.google.com/o/oauth2/auth",
};

function fieldsOf(body: unknown): { field: string; message: string }[] {
  try {
    validateCredentialInput("gcp_service_account", body);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    const input = err as InputError;
    const text = JSON.stringify({ message: input.message, fields: input.fields });
    // The private key, or any piece of it, never appears in what the API answers.
    expect(text).not.toContain("PRIVATE KEY-----\n");
    expect(text).not.toContain(privateKey.split("\n")[1]);
    return [...input.fields];
  }
  throw new Error("expected an InputError");
}

describe("gcp_service_account credentials", () => {
  it("accept the key file as a JSON string or an object, defaulting token_uri, and show the client e-mail", () => {
    for (const json of [JSON.stringify(keyFile), keyFile]) {
      const input = validateCredentialInput("gcp_service_account", { service_account_json: json });
      expect(input.public).toEqual({ username: keyFile.client_email, provider_hint: "gcp" });
      expect(input.kind).toBe("gcp_service_account");
      if (input.kind !== "gcp_service_account") return;
      expect(input.secret.service_account_json.token_uri).toBe(defaultGoogleTokenUri);
      expect(input.secret.service_account_json.private_key).toBe(privateKey);
      expect(Object.keys(input.secret.service_account_json)).not.toContain("auth_uri");
    }
  });

  it("keeps the key file's own token_uri", () => {
    const input = validateCredentialInput("gcp_service_account", { service_account_json: { ...keyFile, token_uri: "http://127.0.0.1:4444/token" } });
    expect(input.kind === "gcp_service_account" && input.secret.service_account_json.token_uri).toBe("http://127.0.0.1:4444/token");
  });

  it("names the field when the JSON does not parse, without quoting it", () => {
    const broken = JSON.stringify(keyFile).slice(0, 300);
    expect(fieldsOf({ service_account_json: broken })).toEqual([
      { field: "service_account_json", message: "must be valid JSON: the service account's key file as downloaded" },
    ]);
  });

  it("names each missing or wrong field of the key file", () => {
    const { client_email: _email, private_key: _key, ...rest } = keyFile;
    expect(fieldsOf({ service_account_json: rest })).toEqual([
      { field: "service_account_json.client_email", message: "is required" },
      { field: "service_account_json.private_key", message: "is required" },
    ]);
    expect(fieldsOf({ service_account_json: { ...keyFile, private_key: "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n" } })).toEqual([
      { field: "service_account_json.private_key", message: "must be the key file's PEM RSA private key (-----BEGIN PRIVATE KEY-----)" },
    ]);
    expect(fieldsOf({ service_account_json: { ...keyFile, type: "authorized_user" } })[0]?.field).toBe("service_account_json.type");
    expect(fieldsOf({ service_account_json: { ...keyFile, client_email: "nobody" } })[0]?.field).toBe("service_account_json.client_email");
  });

  it("refuses a token_uri that is not https, or that points at a cloud metadata address", () => {
    for (const tokenUri of ["http://oauth2.example.com/token", "https://169.254.169.254/token", "http://metadata.google.internal/token", "file:///etc/passwd"]) {
      expect(fieldsOf({ service_account_json: { ...keyFile, token_uri: tokenUri } })).toEqual([
        { field: "service_account_json.token_uri", message: "must be an https:// URL (http:// only on the loopback address)" },
      ]);
    }
  });

  it("says the key file is required, or that it must be an object or a string", () => {
    expect(fieldsOf({})).toEqual([{ field: "service_account_json", message: "is required" }]);
    expect(fieldsOf({ service_account_json: 42 })).toEqual([
      { field: "service_account_json", message: "must be the service account's JSON key file, as an object or a string" },
    ]);
    expect(fieldsOf({ service_account_json: "[1,2]" })[0]?.field).toBe("service_account_json");
  });
});
