import { describe, expect, it } from "vitest";
import { nextLink } from "./link_header.ts";

describe("nextLink()", () => {
  it("resolves a relative next link against the request URL", () => {
    const next = nextLink('</v2/_catalog?last=b&n=2>; rel="next"', "http://127.0.0.1:5000/v2/_catalog?n=2");
    expect(next?.href).toBe("http://127.0.0.1:5000/v2/_catalog?last=b&n=2");
  });

  it("picks next among several links, in any order and quoting", () => {
    const header = '</api/v2.0/projects/p/repositories?page=1&page_size=10>; rel="prev" , </api/v2.0/projects/p/repositories?page=3&page_size=10>; rel=next';
    expect(nextLink(header, "https://harbor.example/api/v2.0/projects/p/repositories?page=2")?.href).toBe(
      "https://harbor.example/api/v2.0/projects/p/repositories?page=3&page_size=10",
    );
  });

  it("is undefined without a next link", () => {
    expect(nextLink('</x>; rel="prev"', "https://r.example/")).toBeUndefined();
    expect(nextLink(undefined, "https://r.example/")).toBeUndefined();
  });
});
