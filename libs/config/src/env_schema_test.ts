import { describe, expect, it } from "vitest";
import { InputError } from "@charthouse/errors";
import { commonSettings } from "./common_settings.ts";
import { integerSetting, loadConfig } from "./env_schema.ts";

describe("loadConfig()", () => {
  it("applies defaults and freezes the result", () => {
    const config = loadConfig(commonSettings(8080), {});
    expect(config.PORT).toBe(8080);
    expect(config.NATS_URL).toBe("nats://127.0.0.1:4222");
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("reports every problem at once", () => {
    const attempt = () =>
      loadConfig(
        { ...commonSettings(8080), LIMIT: integerSetting(5, { min: 1, max: 10 }) },
        { PORT: "eighty", NATS_URL: "http://x", LIMIT: "11" },
      );
    expect(attempt).toThrow(InputError);
    try {
      attempt();
    } catch (err) {
      const fields = (err as InputError).fields.map((f) => f.field).sort();
      expect(fields).toEqual(["LIMIT", "NATS_URL", "PORT"]);
    }
  });

  it("never repeats a password from a bad URL", () => {
    expect(() => loadConfig(commonSettings(1), { DATABASE_URL: "mysql://u:hunter2@h/db" })).toThrow(
      /^(?![\s\S]*hunter2)/,
    );
  });
});
