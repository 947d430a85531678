import { lookup } from "node:dns/promises";
import type { LookupAddress } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { UnavailableError } from "@charthouse/errors";
import { classifyAddress, forbiddenHostNames } from "./address_policy.ts";

/** Which destinations outbound requests may reach. */
export interface DestinationPolicy {
  /** Refuse private, loopback and CGNAT ranges too (CHARTHOUSE_BLOCK_PRIVATE_NETWORKS). */
  blockPrivateNetworks: boolean;
}

/**
 * Throws UnavailableError `forbidden_destination` when a URL's host is a metadata name or an
 * IP literal that the policy refuses. Host names are vetted again when resolved.
 */
export function assertAllowedHost(url: URL, policy: DestinationPolicy): void {
  const host = normaliseHost(url.hostname);
  if (forbiddenHostNames.has(host)) {
    throw forbiddenDestination(host, host, "it is a cloud metadata service");
  }
  if (isIP(host) !== 0) assertAllowedAddress(host, host, policy);
}

/**
 * Resolves a host name to all its addresses and returns them only if every one is allowed, so
 * that a name mixing public and internal addresses cannot be used to reach the internal one.
 */
export async function resolveAllowedAddresses(hostname: string, policy: DestinationPolicy): Promise<LookupAddress[]> {
  const host = normaliseHost(hostname);
  if (forbiddenHostNames.has(host)) {
    throw forbiddenDestination(host, host, "it is a cloud metadata service");
  }
  const family = isIP(host);
  if (family !== 0) {
    assertAllowedAddress(host, host, policy);
    return [{ address: host, family }];
  }
  const addresses = await lookup(host, { all: true, verbatim: true });
  for (const { address } of addresses) assertAllowedAddress(host, address, policy);
  return addresses;
}

/**
 * A `net` lookup function that only ever hands the socket addresses it has just vetted: the
 * address checked is the address connected to, so DNS rebinding cannot slip past the guard.
 */
export function guardedLookup(policy: DestinationPolicy): LookupFunction {
  return (hostname, options, callback) => {
    resolveAllowedAddresses(hostname, policy).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        const first = wanted[0];
        if (first === undefined) {
          const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname });
          callback(err, "", undefined);
        } else if (options.all === true) {
          callback(null, wanted);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (err: unknown) => callback(err as NodeJS.ErrnoException, "", undefined),
    );
  };
}

function assertAllowedAddress(host: string, address: string, policy: DestinationPolicy): void {
  const verdict = classifyAddress(address);
  if (verdict === "forbidden") {
    throw forbiddenDestination(host, address, "link-local, cloud metadata, multicast and reserved addresses are never contacted");
  }
  if (verdict === "private" && policy.blockPrivateNetworks) {
    throw forbiddenDestination(host, address, "it is a private network address and CHARTHOUSE_BLOCK_PRIVATE_NETWORKS is on");
  }
}

function forbiddenDestination(host: string, address: string, reason: string): UnavailableError {
  const target = host === address ? `"${host}"` : `"${host}" (${address})`;
  return new UnavailableError(`Refused to connect to ${target}: ${reason}`, { code: "forbidden_destination" });
}

function normaliseHost(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
}
