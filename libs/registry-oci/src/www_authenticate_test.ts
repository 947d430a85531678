import { describe, expect, it } from "vitest";
import { parseWwwAuthenticate } from "./www_authenticate.ts";

describe("parseWwwAuthenticate()", () => {
  it("reads a Bearer challenge with a scope holding commas", () => {
    expect(
      parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull,push"'),
    ).toEqual([
      { scheme: "bearer", params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:library/nginx:pull,push" } },
    ]);
  });

  it("reads the error of a refused token", () => {
    const [challenge] = parseWwwAuthenticate(
      'Bearer realm="http://127.0.0.1:1/token",service="s",scope="repository:ns/a:pull",error="insufficient_scope"',
    );
    expect(challenge?.params.error).toBe("insufficient_scope");
  });

  it("splits several challenges and keeps escapes and spaces", () => {
    expect(parseWwwAuthenticate('Basic realm="a \\"b\\", c", Bearer realm="https://x/token" , service=registry')).toEqual([
      { scheme: "basic", params: { realm: 'a "b", c' } },
      { scheme: "bearer", params: { realm: "https://x/token", service: "registry" } },
    ]);
  });

  it("reads unquoted values, case-insensitive names and a bare scheme", () => {
    expect(parseWwwAuthenticate("BEARER Realm=https://ghcr.io/token,Service=ghcr.io")).toEqual([
      { scheme: "bearer", params: { realm: "https://ghcr.io/token", service: "ghcr.io" } },
    ]);
    expect(parseWwwAuthenticate("Negotiate")).toEqual([{ scheme: "negotiate", params: {} }]);
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
  });
});
