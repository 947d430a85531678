import { InputError } from "@charthouse/errors";
import { describe, expect, it } from "vitest";
import { normalizeRegistryUrl } from "./registry_url.ts";

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error("expected an InputError");
}

describe("normalizeRegistryUrl()", () => {
  it("lower-cases scheme and host, drops the default port, trailing slash and fragment", () => {
    expect(normalizeRegistryUrl("HTTPS://Charts.Example.COM:443/Stable/#x")).toEqual({
      url: "https://charts.example.com/Stable",
      kind: "http_registry",
    });
    expect(normalizeRegistryUrl("http://example.com:80/").url).toBe("http://example.com");
    expect(normalizeRegistryUrl("http://example.com:8080/charts//").url).toBe("http://example.com:8080/charts");
  });

  it("detects OCI registries from oci:// and keeps the repository path's case", () => {
    expect(normalizeRegistryUrl("oci://GHCR.io:443/MyOrg/charts/")).toEqual({ url: "oci://ghcr.io/MyOrg/charts", kind: "oci_registry" });
    expect(normalizeRegistryUrl("oci://127.0.0.1:5000/ns").url).toBe("oci://127.0.0.1:5000/ns");
  });

  it("answers invalid_reference with 'Add oci:// to the URL' for an OCI kind without oci://", () => {
    const err = inputError(() => normalizeRegistryUrl("https://ghcr.io/org", "oci_registry"));
    expect(err.code).toBe("invalid_reference");
    expect(err.solution).toBe("Add oci:// to the URL");
    const bare = inputError(() => normalizeRegistryUrl("ghcr.io/org/charts"));
    expect(bare.code).toBe("invalid_reference");
  });

  it("answers invalid_reference when kind http_registry contradicts oci://", () => {
    expect(inputError(() => normalizeRegistryUrl("oci://ghcr.io/org", "http_registry")).code).toBe("invalid_reference");
  });

  it("refuses user info, other schemes and non-URLs, naming the url field", () => {
    for (const raw of ["https://user:hunter2@example.com/charts", "user:hunter2@example.com/charts", "ftp://example.com", "not a url"]) {
      const err = inputError(() => normalizeRegistryUrl(raw));
      expect(err.fields[0]?.field).toBe("url");
      expect(err.message).not.toContain("hunter2");
    }
  });
});
