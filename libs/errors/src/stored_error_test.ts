import { describe, expect, it } from "vitest";
import { UpstreamError } from "./charthouse_error.ts";
import { toStoredError } from "./stored_error.ts";

describe("toStoredError()", () => {
  it("drops NUL and unpaired surrogates that a registry's bytes put into a message or cause", () => {
    let parseError: unknown;
    try {
      JSON.parse("\u0000\u0000{\uD800");
    } catch (err) {
      parseError = err;
    }
    const err = new UpstreamError("registry_error", "The manifest of app:\u00001.0.0 is malformed", { status: 200, cause: parseError });
    const stored = toStoredError(err);
    expect(stored.code).toBe("registry_error");
    expect(stored.message).toBe("The manifest of app:1.0.0 is malformed");
    expect(JSON.stringify(stored)).not.toMatch(/\\u0000|\\ud800/);
    expect(stored.cause).toMatch(/not valid JSON/);
  });

  it("cleans a thrown value that is not an Error as well", () => {
    expect(toStoredError("bad\u0000thing")).toMatchObject({ code: "internal", message: "badthing" });
  });
});
