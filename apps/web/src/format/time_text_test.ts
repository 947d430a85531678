import { describe, expect, it } from "vitest";
import { byteSize, intervalText, relativeTime } from "./time_text.ts";

describe("time_text", () => {
  const now = Date.parse("2026-01-01T12:00:00Z");

  it("relativeTime() says how long ago or how soon", () => {
    expect(relativeTime("2026-01-01T11:57:00Z", now)).toBe("3 minutes ago");
    expect(relativeTime("2026-01-01T12:00:20Z", now)).toBe("in 20 seconds");
    expect(relativeTime("2026-01-01T12:00:00Z", now)).toBe("just now");
    expect(relativeTime(null, now)).toBe("never");
  });

  it("intervalText() names the default 120 s as every 2 minutes and 0 as no automatic sync", () => {
    expect(intervalText(120)).toBe("every 2 minutes");
    expect(intervalText(3600)).toBe("every hour");
    expect(intervalText(45)).toBe("every 45 seconds");
    expect(intervalText(0)).toBe("not automatically");
  });

  it("byteSize() uses binary units", () => {
    expect(byteSize(512)).toBe("512 B");
    expect(byteSize(2048)).toBe("2.0 KiB");
    expect(byteSize(null)).toBe("unknown size");
  });
});
