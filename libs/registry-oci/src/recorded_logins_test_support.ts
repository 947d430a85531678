import type { RegistryLogin, RegistryLogins, SealedCredentialRow } from "@charthouse/credentials";
import { createHostBreakers } from "@charthouse/outbound-http";
import { createOciClient, type OciClient } from "./oci_client.ts";

/** Logins by credential id, as RegistryLogins hands them out, recording forget() calls (tests only). */
export function recordedLogins(logins: Record<string, RegistryLogin>): RegistryLogins & { forgotten: string[] } {
  const forgotten: string[] = [];
  return {
    forgotten,
    async login(credential) {
      return credential === null ? null : (logins[credential.id] ?? null);
    },
    forget(credential) {
      forgotten.push(credential.id);
    },
  };
}

/** A sealed credential row standing for credential `id` (its secret comes from recordedLogins). */
export function sealedCredential(id: string): SealedCredentialRow {
  return { id, kind: "basic", keyId: "k", ciphertext: `sealed-${id}` };
}

/** Breakers shared by a test file's clients; close them in afterAll. */
export const testBreakers = createHostBreakers();

/** An OCI client with test limits and the given logins. */
export function testClient(logins: RegistryLogins = recordedLogins({})): OciClient {
  return createOciClient({ access: { breakers: testBreakers, logins, request: { timeoutMs: 10_000, bodyTimeoutMs: 10_000, blockPrivateNetworks: false } } });
}
