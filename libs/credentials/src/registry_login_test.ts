import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { CloudCredential } from "./credential_kinds.ts";
import { registryLogins, type CloudSignIn, type SealedCredentialRow } from "./registry_login.ts";
import { secretBoxFromSettings } from "./secret_box_from_settings.ts";

const oldKey = randomBytes(32).toString("base64");
const newKey = randomBytes(32).toString("base64");

function sealedRow(kind: string, secret: object, key: string): SealedCredentialRow {
  const id = randomUUID();
  return { id, kind, ...secretBoxFromSettings({ secretKey: key }).seal(secret, id) };
}

describe("registryLogins()", () => {
  it("opens credentials sealed under a previous key while a rotation runs", async () => {
    const row = sealedRow("basic", { username: "robot", password: "pw" }, oldKey);
    const logins = registryLogins({ secretKey: newKey, previousSecretKeys: oldKey });
    expect(await logins.login(row, "https://harbor.example")).toEqual({ type: "basic", username: "robot", password: "pw", expiresAt: null });
    await expect(registryLogins({ secretKey: newKey }).login(row, "https://harbor.example")).rejects.toThrow(/not configured/);
  });

  it("hands cloud kinds, with their id, to the cloud sign-in and forwards forget", async () => {
    const row = sealedRow("aws", { access_key_id: "AKIAIOSFODNN7EXAMPLE", secret_access_key: "s3cret" }, newKey);
    const seen: CloudCredential[] = [];
    const forgotten: string[] = [];
    const cloudSignIn: CloudSignIn = Object.assign(
      async (credential: CloudCredential) => {
        seen.push(credential);
        return { type: "basic" as const, username: "AWS", password: "token", expiresAt: 1 };
      },
      { forget: (credentialId: string, registryUrl: string) => void forgotten.push(`${credentialId} ${registryUrl}`) },
    );
    const logins = registryLogins({ secretKey: newKey, cloudSignIn });
    const url = "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com";
    expect(await logins.login(row, url)).toEqual({ type: "basic", username: "AWS", password: "token", expiresAt: 1 });
    expect(seen[0]).toMatchObject({ id: row.id, kind: "aws", secret: { access_key_id: "AKIAIOSFODNN7EXAMPLE" } });
    logins.forget(row, url);
    expect(forgotten).toEqual([`${row.id} ${url}`]);
  });

  it("fails a cloud kind clearly when the service has no cloud sign-in", async () => {
    const row = sealedRow("azure_service_principal", { tenant_id: "t", client_id: "00000000-1111-2222-3333-444444444444", client_secret: "x" }, newKey);
    await expect(registryLogins({ secretKey: newKey }).login(row, "https://x.azurecr.io")).rejects.toMatchObject({ code: "credential_rejected" });
  });
});
