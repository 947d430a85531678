import { describe, expect, it } from "vitest";
import { displayUrl } from "./display_url.ts";

describe("displayUrl()", () => {
  it("drops user info and query values but keeps the path", () => {
    const shown = displayUrl("https://bob:hunter2@charts.example.com/x/index.yaml?X-Amz-Signature=s3cr3t&a=1");
    expect(shown).toBe("https://charts.example.com/x/index.yaml?X-Amz-Signature=…&a=…");
    expect(shown).not.toMatch(/hunter2|s3cr3t|bob/);
  });
});
