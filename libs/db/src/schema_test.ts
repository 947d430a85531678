import { UnavailableError } from "@charthouse/errors";
import { createLimitedRole, createTestDatabase } from "@charthouse/testing";
import { describe, expect, it } from "vitest";
import { ensureSchema } from "./schema.ts";

describe("ensureSchema()", () => {
  it("fails with UnavailableError when Postgres refuses its connection (53300 too many connections)", async () => {
    const refused = await createLimitedRole({ connectionLimit: 0 });
    try {
      const err = await ensureSchema(refused.url).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(UnavailableError);
      expect(err).toMatchObject({ code: "unavailable", cause: { code: "53300" } });
    } finally {
      await refused.drop();
    }
  });

  it("fails with UnavailableError when Postgres refuses a connection in the middle of migrating", async () => {
    // One connection passes the checks and takes the migration lock; TypeORM's migration runner
    // asks for a second, which Postgres refuses.
    const database = await createTestDatabase("ch_schema_refused");
    const limited = await createLimitedRole({ databaseUrl: database.url, connectionLimit: 1 });
    try {
      const err = await ensureSchema(limited.url).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(UnavailableError);
      expect(err).toMatchObject({ code: "unavailable", message: expect.stringContaining("Cannot migrate"), cause: { code: "53300" } });
    } finally {
      await database.drop();
      await limited.drop();
    }
  });

  it("keeps a failure that waiting will not cure (an unknown role) out of UnavailableError", async () => {
    const url = new URL(process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres");
    url.username = "ch_no_such_role";
    const err = await ensureSchema(url.toString()).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(/^Cannot prepare the database at .*: role "ch_no_such_role" does not exist/);
  });
});
