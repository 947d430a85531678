import { describe, expect, it } from "vitest";
import { routeLabeler, unmatchedApiRoute, webUiRoute } from "./http_request_metrics.ts";

const label = routeLabeler("/api/v1", [
  { method: "GET", path: "/registries" },
  { method: "GET", path: "/registries/:id" },
  { method: "POST", path: "/registries/:id/sync" },
  { method: "GET", path: "/registries/:id/charts/:name/versions/:version" },
  { method: "GET", path: "/registries/:id/charts/:name/versions/:version/readme" },
]);

describe("routeLabeler()", () => {
  it("names a request by its route pattern, never its ids or names", () => {
    expect(label("GET", "/api/v1/registries/0b7c8c1e-5a4e-4f0b-9d1a-2f1e3c4d5e6f")).toBe("/api/v1/registries/:id");
    expect(label("GET", "/api/v1/registries/abc/charts/nginx/versions/1.2.3+build.4/readme")).toBe(
      "/api/v1/registries/:id/charts/:name/versions/:version/readme",
    );
    expect(label("POST", "/api/v1/registries/abc/sync")).toBe("/api/v1/registries/:id/sync");
  });

  it("matches the method too, and HEAD as GET", () => {
    expect(label("HEAD", "/api/v1/registries")).toBe("/api/v1/registries");
    expect(label("DELETE", "/api/v1/registries/abc/sync")).toBe(unmatchedApiRoute);
  });

  it("puts unknown API paths and the web UI under two fixed names", () => {
    expect(label("GET", "/api/v1/registries/abc/nothing-here")).toBe(unmatchedApiRoute);
    expect(label("GET", "/api/v1")).toBe(unmatchedApiRoute);
    expect(label("GET", "/charts/some-chart")).toBe(webUiRoute);
    expect(label("GET", "/api/v10/registries")).toBe(webUiRoute);
  });

  it("takes a trailing slash as express does, and no more", () => {
    expect(label("GET", "/api/v1/registries/")).toBe("/api/v1/registries");
    expect(label("GET", "/api/v1/registriesX")).toBe(unmatchedApiRoute);
  });
});
