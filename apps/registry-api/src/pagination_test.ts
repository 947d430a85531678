import { InputError } from "@charthouse/errors";
import { describe, expect, it } from "vitest";
import { decodeKeysetCursor, decodeOffsetCursor, encodeKeysetCursor, encodeOffsetCursor, parsePageRequest } from "./pagination.ts";

describe("pagination", () => {
  it("parsePageRequest() defaults to 100 and refuses limits outside 1..500", () => {
    expect(parsePageRequest({}).limit).toBe(100);
    expect(parsePageRequest({ limit: "500" }).limit).toBe(500);
    for (const limit of ["0", "501", "abc", "1.5", ""]) {
      expect(() => parsePageRequest({ limit })).toThrow(InputError);
    }
  });

  it("cursors round-trip and forged ones are input errors", () => {
    const position = { name: "nginx", id: "0b8a4a8e-7c1e-4a39-9d35-6a3c1b0a7f10" };
    expect(decodeKeysetCursor(encodeKeysetCursor(position))).toEqual(position);
    expect(decodeOffsetCursor(encodeOffsetCursor(40))).toBe(40);
    expect(() => decodeKeysetCursor("not-a-cursor")).toThrow(InputError);
    expect(() => decodeOffsetCursor(encodeKeysetCursor(position))).toThrow(InputError);
  });
});
