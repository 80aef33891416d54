import net from "node:net";
import { config } from "@/lib/config";
import { SPECIAL_RANGES, type SpecialRange } from "@/lib/outbound/special-ranges";

// The outbound policy: may Pullgate open a connection to this (resolved) IP
// address on a tenant's behalf? Public unicast addresses: yes. Loopback,
// private, link-local, CGNAT, unique-local, reserved, documentation ranges
// and the IPv4 addresses hidden in IPv4-mapped and NAT64 IPv6 forms: only
// when the operator's allow list (PULLGATE_UPSTREAM_ALLOW_CIDRS) covers them.
// Unspecified, multicast and class E addresses: never.
//
// Decisions are made on addresses, never on names: resolve-allowed.ts
// resolves first and outbound-connector.ts connects to exactly the address
// that was judged, so DNS rebinding and odd spellings (127.1, 0x7f000001,
// 2130706433) have nothing to slip through.

export const ALLOW_CIDRS_VARIABLE = "PULLGATE_UPSTREAM_ALLOW_CIDRS";

export type Family = "ipv4" | "ipv6";

export type Cidr = { network: string; prefix: number; family: Family };

export type OutboundDecision =
  | { allowed: true; address: string }
  | {
      allowed: false;
      /** The address asked about, without brackets or zone. */
      address: string;
      /** What the address is: "loopback", "private", "multicast"… */
      range: string;
      /** Whether PULLGATE_UPSTREAM_ALLOW_CIDRS could allow it. */
      allowable: boolean;
    };

/** A connection the policy refused; `message` is safe to show the vendor who typed the host. */
export class OutboundRefusedError extends Error {
  readonly code = "ERR_PULLGATE_OUTBOUND_REFUSED";
  constructor(
    readonly address: string,
    readonly range: string,
    readonly allowable: boolean,
    /** The host name that resolved to the address, when there was one (for logs). */
    readonly hostname?: string,
  ) {
    super(refusalMessage(address, allowable));
    this.name = "OutboundRefusedError";
  }
}

export function refusalMessage(address: string, allowable: boolean): string {
  return allowable
    ? `registry address ${address} is in a private range; set ${ALLOW_CIDRS_VARIABLE} to allow it`
    : `registry address ${address} is not a unicast address and is never allowed`;
}

export class InvalidCidrError extends Error {
  constructor(readonly entry: string) {
    super(`${ALLOW_CIDRS_VARIABLE}: "${entry}" is not an IPv4 or IPv6 CIDR (e.g. 10.0.0.0/8, 127.0.0.1/32, fd00::/8)`);
    this.name = "InvalidCidrError";
  }
}

/** "10.0.0.0/8", "fd00::/8", or a bare address (one host). Throws InvalidCidrError. */
export function parseCidr(entry: string): Cidr {
  const text = entry.trim();
  const slash = text.indexOf("/");
  const network = slash === -1 ? text : text.slice(0, slash);
  const version = net.isIP(network);
  if (version === 0 || network.includes("%")) throw new InvalidCidrError(entry);
  const max = version === 4 ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const digits = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(digits) || Number(digits) > max) throw new InvalidCidrError(entry);
    prefix = Number(digits);
  }
  return { network, prefix, family: version === 4 ? "ipv4" : "ipv6" };
}

/** The comma-separated allow list; empty entries are ignored, a bad one throws InvalidCidrError. */
export function parseAllowCidrs(value: string): Cidr[] {
  return value
    .split(",")
    .filter((entry) => entry.trim() !== "")
    .map(parseCidr);
}

/**
 * The 8 16-bit groups of an IPv6 address. The WHATWG URL parser canonicalizes
 * first (lower case, no dotted quad, one "::"), so only "::" needs expanding.
 */
export function ipv6Groups(address: string): number[] {
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const [head, tail] = canonical.split("::") as [string, string | undefined];
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((group) => parseInt(group, 16)));
  if (tail === undefined) return parse(head);
  const left = parse(head);
  const right = parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * The IPv4 address an IPv6 address stands for: IPv4-mapped (::ffff:a.b.c.d,
 * which the kernel connects to over IPv4) and the NAT64 well-known prefix
 * (64:ff9b::a.b.c.d, which a NAT64 gateway forwards to that IPv4 address).
 */
export function embeddedIPv4(address: string): string | null {
  const groups = ipv6Groups(address);
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  const mapped = zeros(0, 5) && groups[5] === 0xffff;
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6);
  if (!mapped && !nat64) return null;
  const [high, low] = [groups[6]!, groups[7]!];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join(".");
}

function blockList(cidrs: readonly Cidr[]): { ipv4: net.BlockList; ipv6: net.BlockList } {
  // One list per family: Node matches IPv4 rules against IPv4-mapped IPv6
  // addresses and IPv6 rules such as ::ffff:0:0/96 against IPv4 ones; the
  // policy unwraps mapped addresses itself and compares like with like.
  const lists = { ipv4: new net.BlockList(), ipv6: new net.BlockList() };
  for (const cidr of cidrs) lists[cidr.family].addSubnet(cidr.network, cidr.prefix, cidr.family);
  return lists;
}

const SPECIAL = SPECIAL_RANGES.map((range) => ({ range, lists: blockList([parseCidr(range.cidr)]) }));

export class OutboundPolicy {
  private readonly allowed: ReturnType<typeof blockList>;

  constructor(readonly allowCidrs: readonly Cidr[] = []) {
    this.allowed = blockList(allowCidrs);
  }

  /** The decision for one IP address (as a resolver or the URL parser writes it). */
  check(address: string): OutboundDecision {
    const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
    const version = net.isIP(bare);
    if (version === 0) return { allowed: false, address: bare, range: "not an IP address", allowable: false };
    let family: Family = version === 4 ? "ipv4" : "ipv6";
    let judged = bare;
    if (family === "ipv6") {
      const ipv4 = embeddedIPv4(bare);
      if (ipv4) {
        judged = ipv4;
        family = "ipv4";
      }
    }
    const special = specialRange(judged, family);
    if (!special) return { allowed: true, address: bare };
    if (special.allowable && this.allowed[family].check(judged, family)) return { allowed: true, address: bare };
    return { allowed: false, address: bare, range: special.name, allowable: special.allowable };
  }

  /** Throws OutboundRefusedError unless the address is allowed. */
  assertAllowed(address: string, hostname?: string): void {
    const decision = this.check(address);
    if (!decision.allowed) throw new OutboundRefusedError(decision.address, decision.range, decision.allowable, hostname);
  }
}

function specialRange(address: string, family: Family): SpecialRange | undefined {
  return SPECIAL.find(({ lists }) => lists[family].check(address, family))?.range;
}

let cached: { source: string; policy: OutboundPolicy } | undefined;

/**
 * The process's policy, from PULLGATE_UPSTREAM_ALLOW_CIDRS (read on every
 * call, parsed once per value). Throws InvalidCidrError for a bad setting:
 * the proxy checks it at start-up, so a typo never silently allows nothing.
 */
export function outboundPolicy(): OutboundPolicy {
  const source = config.upstreamAllowCidrs;
  if (cached?.source !== source) cached = { source, policy: new OutboundPolicy(parseAllowCidrs(source)) };
  return cached.policy;
}
