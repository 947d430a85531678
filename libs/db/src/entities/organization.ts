import { EntitySchema } from "typeorm";

/** A tenant: every registry, credential and token belongs to exactly one. */
export interface Organization {
  id: string;
  name: string;
  createdAt: Date;
}

export const OrganizationEntity = new EntitySchema<Organization>({
  name: "Organization",
  tableName: "organizations",
  columns: {
    id: { type: "uuid", primary: true, generated: "uuid" },
    name: { type: "text", unique: true },
    createdAt: { name: "created_at", type: "timestamptz", createDate: true },
  },
});
