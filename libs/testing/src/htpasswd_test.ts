import { describe, expect, it } from "vitest";
import { htpasswdLine } from "./htpasswd.ts";

describe("htpasswdLine()", () => {
  it("makes bcrypt entries for docker-registry and apr1 entries for nginx", async () => {
    const credentials = { username: "alice", password: "pw" };
    expect(await htpasswdLine(credentials, { hash: "bcrypt" })).toMatch(/^alice:\$2y\$/);
    expect(await htpasswdLine(credentials, { hash: "apr1" })).toMatch(/^alice:\$apr1\$/);
  });
});
