import { BlockList, isIPv4, isIPv6 } from "node:net";

/** How an address may be used: always, only where private networks are allowed, or never. */
export type AddressClass = "public" | "private" | "forbidden";

/** Host names of cloud metadata services, refused before any lookup. */
export const forbiddenHostNames: ReadonlySet<string> = new Set([
  "metadata.google.internal",
  "metadata.goog",
  "metadata",
]);

// Never contacted: "this network", link-local (which holds the AWS/GCP/Azure metadata at
// 169.254.169.254 and the ECS agent at 169.254.170.2), multicast, reserved and broadcast,
// Alibaba Cloud's metadata address, and the IPv6 equivalents (AWS IMDS fd00:ec2::254).
const forbidden = new BlockList();
forbidden.addSubnet("0.0.0.0", 8, "ipv4");
forbidden.addSubnet("169.254.0.0", 16, "ipv4");
forbidden.addSubnet("224.0.0.0", 4, "ipv4");
forbidden.addSubnet("240.0.0.0", 4, "ipv4");
forbidden.addAddress("100.100.100.200", "ipv4");
forbidden.addAddress("::", "ipv6");
forbidden.addSubnet("fe80::", 10, "ipv6");
forbidden.addSubnet("ff00::", 8, "ipv6");
forbidden.addAddress("fd00:ec2::254", "ipv6");

// Refused when CHARTHOUSE_BLOCK_PRIVATE_NETWORKS is on: RFC 1918, loopback, carrier-grade NAT,
// IPv6 loopback, unique-local and the deprecated site-local range.
const privateRanges = new BlockList();
privateRanges.addSubnet("10.0.0.0", 8, "ipv4");
privateRanges.addSubnet("172.16.0.0", 12, "ipv4");
privateRanges.addSubnet("192.168.0.0", 16, "ipv4");
privateRanges.addSubnet("127.0.0.0", 8, "ipv4");
privateRanges.addSubnet("100.64.0.0", 10, "ipv4");
privateRanges.addAddress("::1", "ipv6");
privateRanges.addSubnet("fc00::", 7, "ipv6");
privateRanges.addSubnet("fec0::", 10, "ipv6");

/**
 * Classifies an IP address for outbound requests. IPv6 forms that carry an IPv4 address
 * (mapped, compatible, NAT64, 6to4) are judged by that address; anything unparsable is forbidden.
 */
export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (isIPv4(bare)) return classify(bare, "ipv4");
  if (!isIPv6(bare)) return "forbidden";
  const own = classify(bare, "ipv6");
  const embedded = embeddedIpv4(bare);
  if (embedded === undefined) return own;
  const inner = classify(embedded, "ipv4");
  return rank(inner) > rank(own) ? inner : own;
}

function classify(address: string, family: "ipv4" | "ipv6"): AddressClass {
  if (forbidden.check(address, family)) return "forbidden";
  if (privateRanges.check(address, family)) return "private";
  return "public";
}

function rank(value: AddressClass): number {
  return value === "forbidden" ? 2 : value === "private" ? 1 : 0;
}

/** The IPv4 address inside an IPv6 address, for the forms that route to one. */
function embeddedIpv4(address: string): string | undefined {
  const words = ipv6Words(address);
  if (words === undefined) return undefined;
  const [w0, w1, w2, w3, w4, w5, w6, w7] = words as [number, number, number, number, number, number, number, number];
  const dotted = (high: number, low: number): string => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  const zeroPrefix = w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0 && w4 === 0;
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible; ::, ::1 are judged as IPv6 above).
  if (zeroPrefix && (w5 === 0xffff || (w5 === 0 && (w6 !== 0 || w7 > 1)))) return dotted(w6, w7);
  // 64:ff9b::a.b.c.d and 64:ff9b:1::/48 (NAT64).
  if (w0 === 0x64 && w1 === 0xff9b) return dotted(w6, w7);
  // 2002:AABB:CCDD::/48 (6to4).
  if (w0 === 0x2002) return dotted(w1, w2);
  return undefined;
}

/** The eight 16-bit words of a valid IPv6 address. */
function ipv6Words(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const dottedTail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dottedTail?.[1] !== undefined) {
    const bytes = dottedTail[1].split(".").map(Number);
    const [a = 0, b = 0, c = 0, d = 0] = bytes;
    text = `${text.slice(0, -dottedTail[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const headWords = head === "" ? [] : head.split(":");
  const tailWords = tail === undefined || tail === "" ? [] : tail.split(":");
  const missing = 8 - headWords.length - tailWords.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const words = [...headWords, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...tailWords].map((word) =>
    Number.parseInt(word, 16),
  );
  return words.length === 8 && words.every((word) => Number.isInteger(word) && word >= 0 && word <= 0xffff)
    ? words
    : undefined;
}
