import pg from "pg";
import { describe, expect, it } from "vitest";
import { createTestDatabase, uniqueDatabaseName } from "./test_database.ts";

describe("uniqueDatabaseName()", () => {
  it("makes distinct, lowercase names of at most 63 bytes", () => {
    const a = uniqueDatabaseName("My-Tests!");
    const b = uniqueDatabaseName("My-Tests!");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^my_tests_[a-z0-9]+_[0-9a-f]{8}$/);
    expect(uniqueDatabaseName("x".repeat(100)).length).toBeLessThanOrEqual(63);
  });
});

describe("createTestDatabase()", () => {
  it("creates a database, and drop() removes it even with a connection still open", async () => {
    const db = await createTestDatabase("testing_lib");
    const client = new pg.Client({ connectionString: db.url });
    client.on("error", () => undefined);
    await client.connect();
    const result = await client.query<{ name: string }>("SELECT current_database() AS name");
    expect(result.rows[0]?.name).toBe(db.name);

    await db.drop();
    await client.end().catch(() => undefined);
    const again = new pg.Client({ connectionString: db.url });
    await expect(again.connect()).rejects.toThrow(/does not exist/);
    await again.end().catch(() => undefined);
  });

  it("names the server when it cannot create the database", async () => {
    await expect(
      createTestDatabase("unreachable", { serverUrl: "postgres://postgres:pw@127.0.0.1:1/postgres" }),
    ).rejects.toThrow(/Cannot create database "unreachable_.*" on postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/postgres/);
  });
});
