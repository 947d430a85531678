import { describe, expect, it } from "vitest";
import { CharthouseError } from "@charthouse/errors";
import { parseOciReference } from "./oci_reference.ts";

function failure(url: string): CharthouseError {
  try {
    parseOciReference(url);
  } catch (err) {
    if (err instanceof CharthouseError) return err;
    throw err;
  }
  throw new Error(`${url} parsed`);
}

describe("parseOciReference()", () => {
  it("reads host, nested path and https API base", () => {
    expect(parseOciReference("oci://ghcr.io/org/charts/nginx")).toEqual({
      host: "ghcr.io",
      apiBase: "https://ghcr.io",
      path: "org/charts/nginx",
      dockerHub: false,
    });
  });

  it("keeps the port, drops a trailing slash and allows the registry root", () => {
    expect(parseOciReference("oci://registry.example.com:8443/ns/")).toMatchObject({ host: "registry.example.com:8443", path: "ns" });
    expect(parseOciReference("oci://registry.example.com")).toMatchObject({ path: "", apiBase: "https://registry.example.com" });
  });

  it("speaks plain HTTP to loopback hosts only, unless a host is listed", () => {
    expect(parseOciReference("oci://127.0.0.1:5000/ns").apiBase).toBe("http://127.0.0.1:5000");
    expect(parseOciReference("oci://127.9.8.7/ns").apiBase).toBe("http://127.9.8.7");
    expect(parseOciReference("oci://localhost:5000/ns").apiBase).toBe("http://localhost:5000");
    expect(parseOciReference("oci://[::1]:5000/ns")).toMatchObject({ host: "[::1]:5000", apiBase: "http://[::1]:5000" });
    expect(parseOciReference("oci://10.0.0.5:5000/ns").apiBase).toBe("https://10.0.0.5:5000");
    expect(parseOciReference("oci://10.0.0.5:5000/ns", { plainHttpHosts: ["10.0.0.5:5000"] }).apiBase).toBe("http://10.0.0.5:5000");
    expect(parseOciReference("oci://registry.lan/ns", { plainHttpHosts: ["registry.lan"] }).apiBase).toBe("http://registry.lan");
  });

  it("knows docker.io and registry-1.docker.io as Docker Hub", () => {
    for (const host of ["docker.io", "registry-1.docker.io", "index.docker.io"]) {
      expect(parseOciReference(`oci://${host}/bitnamicharts`)).toEqual({
        host,
        apiBase: "https://registry-1.docker.io",
        path: "bitnamicharts",
        dockerHub: true,
      });
    }
  });

  it("lowercases the host name", () => {
    expect(parseOciReference("oci://GHCR.IO/org").host).toBe("ghcr.io");
  });

  it("refuses URLs without oci:// with the solution to add it", () => {
    for (const url of ["https://ghcr.io/org/charts", "ghcr.io/org/charts", "http://127.0.0.1:5000/ns"]) {
      const err = failure(url);
      expect(err.code).toBe("invalid_reference");
      expect(err.solution).toBe("Add oci:// to the URL");
    }
  });

  it("refuses tags, digests, bad hosts, ports and path components", () => {
    const cases: [string, RegExp][] = [
      ["oci://ghcr.io/org/chart:1.0.0", /names a tag/],
      ["oci://ghcr.io/org/chart@sha256:" + "a".repeat(64), /digest/],
      ["oci://ghcr.io:99999/org", /port/],
      ["oci://ghcr.io:abc/org", /port/],
      ["oci://bad_host/org", /host name/],
      ["oci:///org", /no host/],
      ["oci://ghcr.io/Org/Charts", /path component "Org"/],
      ["oci://ghcr.io/org//charts", /empty component/],
      ["oci://ghcr.io/org/-chart", /path component/],
      ["oci://ghcr.io/org/chart?x=1", /query/],
      ["oci://user:pass@ghcr.io/org", /credentials/],
    ];
    for (const [url, message] of cases) {
      const err = failure(url);
      expect(err.code, url).toBe("invalid_reference");
      expect(err.message, url).toMatch(message);
    }
  });

  it("accepts the separators the distribution spec allows", () => {
    expect(parseOciReference("oci://ghcr.io/my-org/charts.v2/a__b/x_y/c--d").path).toBe("my-org/charts.v2/a__b/x_y/c--d");
  });
});
