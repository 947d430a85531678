import pg from "pg";
import { describe, expect, it } from "vitest";
import { startPostgresServer } from "./postgres_server.ts";
import { tcpAccepts } from "./tcp_probe.ts";

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe("startPostgresServer()", () => {
  it("runs a private server that keeps its data across fast and immediate shutdowns, and removes it on stop", { timeout: 90_000 }, async () => {
    const server = await startPostgresServer();
    try {
      expect(server.port).not.toBe(5432);
      expect(server.url).toBe(`postgres://postgres@127.0.0.1:${server.port}/postgres`);
      await query(server.url, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (1)");

      // A session open during a fast shutdown is ended by the server, as in production.
      const session = new pg.Client({ connectionString: server.url });
      const sessionErrors: Error[] = [];
      session.on("error", (err) => sessionErrors.push(err));
      await session.connect();
      await server.shutdown({ mode: "fast" });
      expect(await tcpAccepts(server.port)).toBe(false);
      expect(sessionErrors.map((e) => e.message).join()).toMatch(/terminating connection due to administrator command/);
      await session.end().catch(() => undefined);

      await server.start();
      await query(server.url, "INSERT INTO kept VALUES (2)");
      await server.shutdown({ mode: "immediate" });
      await server.start();
      expect(await query<{ n: number }>(server.url, "SELECT n FROM kept ORDER BY n")).toEqual([{ n: 1 }, { n: 2 }]);
    } finally {
      await server.stop();
    }
    expect(await tcpAccepts(server.port)).toBe(false);
  });
});
