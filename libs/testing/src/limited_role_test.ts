import pg from "pg";
import { describe, expect, it } from "vitest";
import { createLimitedRole } from "./limited_role.ts";

/** Why connecting to `url` fails, or undefined when it does not. */
async function connectFailure(url: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    return undefined;
  } catch (err) {
    return err;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe("createLimitedRole()", () => {
  it("refuses the connection over the limit with 53300 too many connections, until drop() removes the role", async () => {
    const limited = await createLimitedRole({ connectionLimit: 1 });
    const first = new pg.Client({ connectionString: limited.url });
    try {
      await first.connect();
      expect(await connectFailure(limited.url)).toMatchObject({ code: "53300", message: expect.stringContaining("too many connections") });
    } finally {
      await first.end();
      await limited.drop();
    }
    // The role is gone: Postgres refuses it as unknown now, not as full.
    expect(await connectFailure(limited.url)).toMatchObject({ code: expect.not.stringMatching(/^53/) });
  });
});
