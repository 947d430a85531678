import { EntitySchema } from "typeorm";

/** A registry credential; its secret fields are sealed (AES-256-GCM) under a key id. */
export interface Credential {
  id: string;
  organizationId: string;
  name: string;
  kind: string;
  username: string | null;
  providerHint: string | null;
  secretKeyId: string;
  secretCiphertext: string;
  createdAt: Date;
  updatedAt: Date;
}

export const CredentialEntity = new EntitySchema<Credential>({
  name: "Credential",
  tableName: "credentials",
  columns: {
    id: { type: "uuid", primary: true, generated: "uuid" },
    organizationId: { name: "organization_id", type: "uuid" },
    name: { type: "text" },
    kind: { type: "text" },
    username: { type: "text", nullable: true },
    providerHint: { name: "provider_hint", type: "text", nullable: true },
    secretKeyId: { name: "secret_key_id", type: "text" },
    secretCiphertext: { name: "secret_ciphertext", type: "text" },
    createdAt: { name: "created_at", type: "timestamptz", createDate: true },
    updatedAt: { name: "updated_at", type: "timestamptz", updateDate: true },
  },
});
