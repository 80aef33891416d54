// Address ranges Pullgate never connects to on a tenant's behalf unless the
// operator allows them (PULLGATE_UPSTREAM_ALLOW_CIDRS), from the IANA IPv4
// and IPv6 special-purpose address registries. Kept as data so the README's
// table and the code cannot drift apart.
//
// IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses are not
// listed: outbound-policy.ts judges them by the IPv4 address they carry.

export type SpecialRange = {
  cidr: string;
  /** What the range is, for logs and the README. */
  name: string;
  /** False: refused even when the allow list covers it (connecting there is never a registry). */
  allowable: boolean;
};

export const SPECIAL_RANGES: readonly SpecialRange[] = [
  // IPv4
  { cidr: "0.0.0.0/8", name: "unspecified", allowable: false },
  { cidr: "10.0.0.0/8", name: "private", allowable: true },
  { cidr: "100.64.0.0/10", name: "carrier-grade NAT", allowable: true },
  { cidr: "127.0.0.0/8", name: "loopback", allowable: true },
  { cidr: "169.254.0.0/16", name: "link-local", allowable: true },
  { cidr: "172.16.0.0/12", name: "private", allowable: true },
  { cidr: "192.0.0.0/24", name: "reserved", allowable: true },
  { cidr: "192.0.2.0/24", name: "documentation", allowable: true },
  { cidr: "192.88.99.0/24", name: "reserved", allowable: true },
  { cidr: "192.168.0.0/16", name: "private", allowable: true },
  { cidr: "198.18.0.0/15", name: "benchmarking", allowable: true },
  { cidr: "198.51.100.0/24", name: "documentation", allowable: true },
  { cidr: "203.0.113.0/24", name: "documentation", allowable: true },
  { cidr: "224.0.0.0/4", name: "multicast", allowable: false },
  { cidr: "240.0.0.0/4", name: "reserved", allowable: false },
  // IPv6
  { cidr: "::/128", name: "unspecified", allowable: false },
  { cidr: "::1/128", name: "loopback", allowable: true },
  { cidr: "::/96", name: "IPv4-compatible (deprecated)", allowable: true },
  { cidr: "::ffff:0:0:0/96", name: "IPv4-translated", allowable: true },
  { cidr: "64:ff9b:1::/48", name: "NAT64 local use", allowable: true },
  { cidr: "100::/64", name: "discard", allowable: true },
  { cidr: "2001::/23", name: "IETF protocol assignments", allowable: true },
  { cidr: "2001:db8::/32", name: "documentation", allowable: true },
  { cidr: "2002::/16", name: "6to4", allowable: true },
  { cidr: "3fff::/20", name: "documentation", allowable: true },
  { cidr: "5f00::/16", name: "segment routing", allowable: true },
  { cidr: "fc00::/7", name: "unique-local", allowable: true },
  { cidr: "fe80::/10", name: "link-local", allowable: true },
  { cidr: "fec0::/10", name: "site-local (deprecated)", allowable: true },
  { cidr: "ff00::/8", name: "multicast", allowable: false },
];
