import { InputError } from "@charthouse/errors";
import { describe, expect, it } from "vitest";
import { loadRegistryApiConfig } from "./config.ts";

describe("loadRegistryApiConfig()", () => {
  it("defaults to port 8080 with no bootstrap token and no secret key", () => {
    const config = loadRegistryApiConfig({});
    expect(config.PORT).toBe(8080);
    expect(config.CHARTHOUSE_BOOTSTRAP_TOKEN).toBeUndefined();
    expect(config.CHARTHOUSE_SECRET_KEY).toBeUndefined();
    expect(config.CHARTHOUSE_DB_POOL_SIZE).toBe(20);
  });

  it("takes a Postgres pool size from 1 to 200", () => {
    expect(loadRegistryApiConfig({ CHARTHOUSE_DB_POOL_SIZE: "6" }).CHARTHOUSE_DB_POOL_SIZE).toBe(6);
    expect(() => loadRegistryApiConfig({ CHARTHOUSE_DB_POOL_SIZE: "0" })).toThrow(InputError);
  });

  it("accepts a 32-byte base64 key and reports every bad setting together", () => {
    const key = Buffer.alloc(32, 7).toString("base64");
    expect(loadRegistryApiConfig({ CHARTHOUSE_SECRET_KEY: key }).CHARTHOUSE_SECRET_KEY).toBe(key);
    try {
      loadRegistryApiConfig({ CHARTHOUSE_SECRET_KEY: "c2hvcnQ=", PORT: "x" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).fields.map((f) => f.field).sort()).toEqual(["CHARTHOUSE_SECRET_KEY", "PORT"]);
      expect((err as InputError).message).not.toContain("c2hvcnQ=");
    }
  });
});
