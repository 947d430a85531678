import { describe, expect, it } from "vitest";
import { classifyAddress } from "./address_policy.ts";

describe("classifyAddress()", () => {
  it("forbids link-local, metadata, unspecified and multicast addresses", () => {
    for (const address of ["169.254.169.254", "169.254.170.2", "0.0.0.0", "224.0.0.1", "255.255.255.255", "fe80::1", "fd00:ec2::254", "ff02::1", "::"]) {
      expect(classifyAddress(address), address).toBe("forbidden");
    }
  });

  it("marks private, loopback and CGNAT ranges as private", () => {
    for (const address of ["10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "127.0.0.1", "100.64.0.1", "::1", "fd12::1"]) {
      expect(classifyAddress(address), address).toBe("private");
    }
  });

  it("judges IPv6 forms that embed an IPv4 address by that address", () => {
    expect(classifyAddress("::ffff:169.254.169.254")).toBe("forbidden");
    expect(classifyAddress("::ffff:a9fe:a9fe")).toBe("forbidden");
    expect(classifyAddress("64:ff9b::a9fe:a9fe")).toBe("forbidden");
    expect(classifyAddress("2002:a9fe:a9fe::1")).toBe("forbidden");
    expect(classifyAddress("::ffff:127.0.0.1")).toBe("private");
  });

  it("allows public addresses and forbids what does not parse", () => {
    expect(classifyAddress("140.82.112.3")).toBe("public");
    expect(classifyAddress("172.32.0.1")).toBe("public");
    expect(classifyAddress("2606:4700::1111")).toBe("public");
    expect(classifyAddress("not-an-ip")).toBe("forbidden");
  });
});
