import { EntitySchema } from "typeorm";

/** An API token; only the sha256 of its value is stored. */
export interface ApiToken {
  id: string;
  organizationId: string;
  name: string;
  tokenHash: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export const ApiTokenEntity = new EntitySchema<ApiToken>({
  name: "ApiToken",
  tableName: "api_tokens",
  columns: {
    id: { type: "uuid", primary: true, generated: "uuid" },
    organizationId: { name: "organization_id", type: "uuid" },
    name: { type: "text" },
    tokenHash: { name: "token_hash", type: "text", unique: true },
    scopes: { type: "text", array: true },
    createdAt: { name: "created_at", type: "timestamptz", createDate: true },
    lastUsedAt: { name: "last_used_at", type: "timestamptz", nullable: true },
    revokedAt: { name: "revoked_at", type: "timestamptz", nullable: true },
  },
});
