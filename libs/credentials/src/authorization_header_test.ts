import { describe, expect, it } from "vitest";
import { authorizationHeader } from "./authorization_header.ts";

const decodeBasic = (header: string): string => Buffer.from(header.replace(/^Basic /, ""), "base64").toString("utf8");

describe("authorizationHeader()", () => {
  it("sends basic credentials as Basic user:password, UTF-8", () => {
    const header = authorizationHeader({ kind: "basic", secret: { username: "robot$ci", password: "pä:ss" } });
    expect(header).toMatch(/^Basic /);
    expect(decodeBasic(header)).toBe("robot$ci:pä:ss");
  });

  it("sends a bare token as Bearer", () => {
    expect(authorizationHeader({ kind: "token", secret: { token: "abc.def" } })).toBe("Bearer abc.def");
  });

  it("sends a token with a username as Basic username:token (GHCR, Docker Hub, Artifactory)", () => {
    const header = authorizationHeader({ kind: "token", secret: { token: "ghp_x", username: "octocat" } });
    expect(decodeBasic(header)).toBe("octocat:ghp_x");
  });
});
