import { EntitySchema } from "typeorm";

/** A chart of a registry, with the facts of its latest version. */
export interface Chart {
  id: string;
  registryId: string;
  name: string;
  description: string | null;
  icon: string | null;
  home: string | null;
  keywords: string[];
  latestVersion: string | null;
  appVersion: string | null;
  deprecated: boolean;
  versions: number;
  createdAt: Date;
  updatedAt: Date;
}

export const ChartEntity = new EntitySchema<Chart>({
  name: "Chart",
  tableName: "charts",
  columns: {
    id: { type: "uuid", primary: true, generated: "uuid" },
    registryId: { name: "registry_id", type: "uuid" },
    name: { type: "text" },
    description: { type: "text", nullable: true },
    icon: { type: "text", nullable: true },
    home: { type: "text", nullable: true },
    keywords: { type: "text", array: true },
    latestVersion: { name: "latest_version", type: "text", nullable: true },
    appVersion: { name: "app_version", type: "text", nullable: true },
    deprecated: { type: "boolean" },
    versions: { type: "integer" },
    createdAt: { name: "created_at", type: "timestamptz", createDate: true },
    updatedAt: { name: "updated_at", type: "timestamptz", updateDate: true },
  },
});
