import type { SqlClient } from "./sql_client.ts";
import type { ChartVersionState } from "./stored_types.ts";

/** What a replay needs to know of a dead letter's version: whether it can be downloaded again. */
export interface ReplayVersionRow {
  id: string;
  state: ChartVersionState;
  has_url: boolean;
}

/** The reads of a dead-letter replay: what is left of the versions and registries the letters concern, across organisations. */
export class DeadLetterTargetReads {
  readonly #sql: SqlClient;
  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  /** The state of each of these versions that still exists, and whether it has a download URL. */
  async versions(ids: readonly string[]): Promise<ReplayVersionRow[]> {
    return await this.#sql.query<ReplayVersionRow>(
      "SELECT id, state, download_url IS NOT NULL AS has_url FROM chart_versions WHERE id = ANY($1::uuid[])",
      [ids],
    );
  }

  /** Which of these registries still exist. */
  async existingRegistries(ids: readonly string[]): Promise<Set<string>> {
    const rows = await this.#sql.query<{ id: string }>("SELECT id FROM registries WHERE id = ANY($1::uuid[])", [ids]);
    return new Set(rows.map((row) => row.id));
  }
}
