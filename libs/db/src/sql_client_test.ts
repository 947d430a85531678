import { CharthouseError, InputError, UnavailableError } from "@charthouse/errors";
import { createLimitedRole, defaultDatabaseUrl, type LimitedRole } from "@charthouse/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqlClient, type SqlClient } from "./sql_client.ts";

let sql: SqlClient;
// A role that may hold no connection: Postgres answers each with 53300 (too_many_connections).
let refusing: LimitedRole;
let refused: SqlClient;

beforeAll(async () => {
  refusing = await createLimitedRole({ connectionLimit: 0 });
  refused = createSqlClient(refusing.url, { poolSize: 1 });
  sql = createSqlClient(process.env["DATABASE_URL"] ?? defaultDatabaseUrl, { poolSize: 2 });
});

afterAll(async () => {
  await refused?.close();
  await sql?.close();
  await refusing?.drop();
});

describe("createSqlClient()", () => {
  it("turns Postgres refusing the connection (too many connections, 53300) into UnavailableError", async () => {
    for (const attempt of [() => refused.query("SELECT 1"), () => refused.transaction((tx) => tx.query("SELECT 1"))]) {
      const err = await attempt().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(UnavailableError);
      expect(err).toMatchObject({ code: "unavailable", transient: true, message: "Postgres is unavailable" });
      expect((err as Error).cause).toMatchObject({ code: "53300", message: expect.stringContaining("too many connections") });
    }
  });

  it("turns a connection terminated by the server (57P01 admin_shutdown) into UnavailableError", async () => {
    const err = await sql.query("SELECT pg_terminate_backend(pg_backend_pid())").then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err).toMatchObject({ code: "unavailable" });
    expect((err as Error).cause).toMatchObject({ code: "57P01" });
    // The pool opens a fresh connection for the next statement.
    expect(await sql.query<{ one: number }>("SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });

  it("keeps errors of the statement itself as Postgres reported them", async () => {
    const syntax = await sql.query("SELEC 1").then(() => undefined, (e: unknown) => e);
    expect(syntax).not.toBeInstanceOf(CharthouseError);
    expect(syntax).toMatchObject({ code: "42601" });
    const duplicate = await sql
      .transaction(async (tx) => {
        await tx.query("CREATE TEMP TABLE once (id int PRIMARY KEY) ON COMMIT DROP");
        await tx.query("INSERT INTO once VALUES (1), (1)");
      })
      .then(() => undefined, (e: unknown) => e);
    expect(duplicate).not.toBeInstanceOf(CharthouseError);
    expect(duplicate).toMatchObject({ code: "23505" });
  });

  it("turns text Postgres cannot store into InputError", async () => {
    const err = await sql.query("SELECT $1::text", ["a\u0000b"]).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
  });
});
