import { afterEach, describe, expect, it } from "vitest";
import {
  embeddedIPv4,
  InvalidCidrError,
  ipv6Groups,
  OutboundPolicy,
  outboundPolicy,
  OutboundRefusedError,
  parseAllowCidrs,
  parseCidr,
  refusalMessage,
} from "@/lib/outbound/outbound-policy";
import { SPECIAL_RANGES } from "@/lib/outbound/special-ranges";

const policy = new OutboundPolicy();
const allowedBy = (...cidrs: string[]) => new OutboundPolicy(cidrs.map(parseCidr));

function refusal(address: string, p = policy) {
  const decision = p.check(address);
  expect(decision.allowed, address).toBe(false);
  return decision as Extract<typeof decision, { allowed: false }>;
}

describe("parseCidr", () => {
  it("reads IPv4 and IPv6 networks and bare addresses", () => {
    expect(parseCidr("10.0.0.0/8")).toEqual({ network: "10.0.0.0", prefix: 8, family: "ipv4" });
    expect(parseCidr("  127.0.0.2/32 ")).toEqual({ network: "127.0.0.2", prefix: 32, family: "ipv4" });
    expect(parseCidr("0.0.0.0/0")).toEqual({ network: "0.0.0.0", prefix: 0, family: "ipv4" });
    expect(parseCidr("10.1.2.3")).toEqual({ network: "10.1.2.3", prefix: 32, family: "ipv4" });
    expect(parseCidr("fd00::/8")).toEqual({ network: "fd00::", prefix: 8, family: "ipv6" });
    expect(parseCidr("::/0")).toEqual({ network: "::", prefix: 0, family: "ipv6" });
    expect(parseCidr("::1")).toEqual({ network: "::1", prefix: 128, family: "ipv6" });
    expect(parseCidr("2001:db8::/128")).toEqual({ network: "2001:db8::", prefix: 128, family: "ipv6" });
  });

  it.each([
    "",
    "/8",
    "10.0.0.0/",
    "10.0.0.0/33",
    "::/129",
    "10.0.0.0/8/8",
    "10.0.0.0/-1",
    "10.0.0.0/ 8",
    "10.0.0.0/8x",
    "10.0.0.0/0x8",
    "10.0.0.0/1000",
    "10.0.0/8",
    "127.1",
    "0x7f000001",
    "localhost",
    "[::1]/128",
    "fe80::1%eth0/64",
    "fe80::1%eth0",
  ])("refuses %j", (entry) => {
    expect(() => parseCidr(entry)).toThrow(InvalidCidrError);
  });

  it("names the variable and the entry in its error", () => {
    expect(() => parseCidr("10.0.0.0/40")).toThrow(
      'PULLGATE_UPSTREAM_ALLOW_CIDRS: "10.0.0.0/40" is not an IPv4 or IPv6 CIDR (e.g. 10.0.0.0/8, 127.0.0.1/32, fd00::/8)',
    );
    const err = (() => {
      try {
        parseCidr("nope");
      } catch (e) {
        return e as InvalidCidrError;
      }
    })();
    expect(err?.entry).toBe("nope");
    expect(err?.name).toBe("InvalidCidrError");
  });
});

describe("parseAllowCidrs", () => {
  it("splits on commas, ignoring blanks", () => {
    expect(parseAllowCidrs("")).toEqual([]);
    expect(parseAllowCidrs(" , ,")).toEqual([]);
    expect(parseAllowCidrs(" 10.0.0.0/8 ,, 127.0.0.1 ,fd00::/8")).toEqual([
      { network: "10.0.0.0", prefix: 8, family: "ipv4" },
      { network: "127.0.0.1", prefix: 32, family: "ipv4" },
      { network: "fd00::", prefix: 8, family: "ipv6" },
    ]);
  });

  it("refuses the whole list for one bad entry", () => {
    expect(() => parseAllowCidrs("10.0.0.0/8,10.0.0.0/99")).toThrow('"10.0.0.0/99"');
  });
});

describe("ipv6Groups and embeddedIPv4", () => {
  it("expands every spelling to eight groups", () => {
    expect(ipv6Groups("::")).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(ipv6Groups("::1")).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Groups("fe80::")).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 0]);
    expect(ipv6Groups("1::8")).toEqual([1, 0, 0, 0, 0, 0, 0, 8]);
    expect(ipv6Groups("1:2:3:4:5:6:7:8")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(ipv6Groups("FFFF:0:0:0:0:0:0:ABCD")).toEqual([0xffff, 0, 0, 0, 0, 0, 0, 0xabcd]);
    expect(ipv6Groups("::ffff:127.0.0.1")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(ipv6Groups("2001:db8:0:0:1:0:0:1")).toEqual([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]);
  });

  it("finds the IPv4 address in mapped and NAT64 forms only", () => {
    expect(embeddedIPv4("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(embeddedIPv4("::ffff:7f00:1")).toBe("127.0.0.1");
    expect(embeddedIPv4("0:0:0:0:0:ffff:a01:203")).toBe("10.1.2.3");
    expect(embeddedIPv4("::ffff:ffff:ffff")).toBe("255.255.255.255");
    expect(embeddedIPv4("::ffff:102:304")).toBe("1.2.3.4");
    expect(embeddedIPv4("64:ff9b::a00:1")).toBe("10.0.0.1");
    expect(embeddedIPv4("64:ff9b::8.8.8.8")).toBe("8.8.8.8");
    for (const other of [
      "::7f00:1",
      "::127.0.0.1",
      "::ffff:0:7f00:1",
      "1::ffff:7f00:1",
      "0:0:0:0:1:ffff:7f00:1",
      "0:0:0:1:0:ffff:7f00:1",
      "0:0:1:0:0:ffff:7f00:1",
      "0:1:0:0:0:ffff:7f00:1",
      "::fffe:7f00:1",
      "64:ff9b:1::a00:1",
      "64:ff9b:0:0:0:1:a00:1",
      "64:ff9b:0:0:1::a00:1",
      "64:ff9b:0:1::a00:1",
      "64:ff9b:1:0::a00:1",
      "65:ff9b::a00:1",
      "64:ff9c::a00:1",
      "2606:4700::1111",
    ]) {
      expect(embeddedIPv4(other), other).toBeNull();
    }
  });
});

describe("OutboundPolicy.check without an allow list", () => {
  it("allows public unicast addresses", () => {
    for (const address of ["8.8.8.8", "1.1.1.1", "93.184.216.34", "11.0.0.0", "223.255.255.255", "2606:4700:4700::1111", "2a00:1450::1", "::ffff:8.8.8.8", "64:ff9b::8.8.8.8"]) {
      expect(policy.check(address), address).toEqual({ allowed: true, address });
    }
  });

  it("refuses the first address of every special range, with its name", () => {
    for (const range of SPECIAL_RANGES) {
      const network = range.cidr.slice(0, range.cidr.indexOf("/"));
      // "::" starts both ::/128 and ::/96: the first listed range names it.
      const named = SPECIAL_RANGES.find((r) => r.cidr.startsWith(`${network}/`))!;
      expect(policy.check(network), range.cidr).toEqual({ allowed: false, address: network, range: named.name, allowable: named.allowable });
    }
  });

  it.each([
    ["0.255.255.255", "unspecified", false],
    ["10.0.0.0", "private", true],
    ["10.255.255.255", "private", true],
    ["100.64.0.0", "carrier-grade NAT", true],
    ["100.127.255.255", "carrier-grade NAT", true],
    ["127.0.0.1", "loopback", true],
    ["127.255.255.254", "loopback", true],
    ["169.254.169.254", "link-local", true],
    ["172.16.0.1", "private", true],
    ["172.31.255.255", "private", true],
    ["192.0.0.170", "reserved", true],
    ["192.0.2.1", "documentation", true],
    ["192.88.99.1", "reserved", true],
    ["192.168.255.255", "private", true],
    ["198.19.255.255", "benchmarking", true],
    ["198.51.100.7", "documentation", true],
    ["203.0.113.9", "documentation", true],
    ["224.0.0.1", "multicast", false],
    ["239.255.255.255", "multicast", false],
    ["240.0.0.1", "reserved", false],
    ["255.255.255.255", "reserved", false],
    ["::", "unspecified", false],
    ["::1", "loopback", true],
    ["::7f00:1", "IPv4-compatible (deprecated)", true],
    ["::a01:203", "IPv4-compatible (deprecated)", true],
    ["::ffff:0:7f00:1", "IPv4-translated", true],
    ["64:ff9b:1::1", "NAT64 local use", true],
    ["100::1", "discard", true],
    ["2001::1", "IETF protocol assignments", true],
    ["2001:1ff:ffff::1", "IETF protocol assignments", true],
    ["2001:db8::1", "documentation", true],
    ["2002:7f00:1::1", "6to4", true],
    ["3fff:fff::1", "documentation", true],
    ["5f00::1", "segment routing", true],
    ["fc00::1", "unique-local", true],
    ["fdff:ffff::1", "unique-local", true],
    ["fe80::1", "link-local", true],
    ["febf:ffff::1", "link-local", true],
    ["fec0::1", "site-local (deprecated)", true],
    ["ff02::1", "multicast", false],
  ])("refuses %s (%s)", (address, range, allowable) => {
    expect(policy.check(address)).toEqual({ allowed: false, address, range, allowable });
  });

  it.each(["9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255", "128.0.0.0", "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0", "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0", "223.255.255.255", "2001:200::1", "2001:db9::1", "2003::1", "fbff::1", "fe7f::1"])(
    "allows %s just outside a range",
    (address) => {
      expect(policy.check(address)).toEqual({ allowed: true, address });
    },
  );

  it("judges IPv4-mapped and NAT64 addresses by the IPv4 address inside", () => {
    expect(policy.check("::ffff:127.0.0.1")).toEqual({ allowed: false, address: "::ffff:127.0.0.1", range: "loopback", allowable: true });
    expect(refusal("::ffff:7f00:1").range).toBe("loopback");
    expect(refusal("::ffff:10.1.2.3").range).toBe("private");
    expect(refusal("::ffff:169.254.169.254").range).toBe("link-local");
    expect(refusal("::ffff:0.0.0.0")).toMatchObject({ range: "unspecified", allowable: false });
    expect(refusal("64:ff9b::7f00:1").range).toBe("loopback");
    expect(refusal("64:ff9b::a9fe:a9fe").range).toBe("link-local");
  });

  it("strips URL brackets and zone ids, and refuses what is not an address", () => {
    expect(policy.check("[::1]")).toEqual({ allowed: false, address: "::1", range: "loopback", allowable: true });
    expect(policy.check("fe80::1%eth0")).toEqual({ allowed: false, address: "fe80::1", range: "link-local", allowable: true });
    expect(policy.check("[2606:4700::1]")).toEqual({ allowed: true, address: "2606:4700::1" });
    for (const name of ["example.com", "", "127.1", "0x7f000001", "2130706433", "localhost"]) {
      expect(policy.check(name), name).toEqual({ allowed: false, address: name, range: "not an IP address", allowable: false });
    }
  });
});

describe("OutboundPolicy.check with an allow list", () => {
  it("admits exactly the listed networks", () => {
    const one = allowedBy("127.0.0.2/32");
    expect(one.check("127.0.0.2")).toEqual({ allowed: true, address: "127.0.0.2" });
    expect(one.check("::ffff:127.0.0.2")).toEqual({ allowed: true, address: "::ffff:127.0.0.2" });
    expect(refusal("127.0.0.1", one).range).toBe("loopback");
    expect(refusal("127.0.0.3", one).range).toBe("loopback");
    expect(refusal("::1", one).range).toBe("loopback");

    const ten = allowedBy("10.0.0.0/8");
    expect(ten.check("10.1.2.3").allowed).toBe(true);
    expect(ten.check("10.255.255.255").allowed).toBe(true);
    expect(refusal("172.16.0.1", ten).range).toBe("private");
    expect(refusal("127.0.0.1", ten).range).toBe("loopback");
    expect(ten.check("8.8.8.8").allowed).toBe(true);

    const ula = allowedBy("fd00::/8");
    expect(ula.check("fd12::1").allowed).toBe(true);
    expect(refusal("fc00::1", ula).range).toBe("unique-local");
  });

  it("never admits unspecified, multicast or class E addresses", () => {
    const everything = allowedBy("0.0.0.0/0", "::/0");
    expect(everything.check("127.0.0.1").allowed).toBe(true);
    expect(everything.check("169.254.169.254").allowed).toBe(true);
    expect(everything.check("::1").allowed).toBe(true);
    for (const address of ["0.0.0.0", "0.1.2.3", "224.0.0.1", "255.255.255.255", "240.0.0.1", "::", "ff02::1", "::ffff:0.0.0.0"]) {
      expect(refusal(address, everything).allowable, address).toBe(false);
    }
  });

  it("keeps IPv4 and IPv6 rules apart", () => {
    expect(refusal("10.1.2.3", allowedBy("::/0")).range).toBe("private");
    expect(refusal("127.0.0.1", allowedBy("::ffff:0:0/96")).range).toBe("loopback");
    expect(refusal("::1", allowedBy("0.0.0.0/0")).range).toBe("loopback");
  });
});

describe("refusals", () => {
  it("say how to allow a private address, and that others are never allowed", () => {
    expect(refusalMessage("10.1.2.3", true)).toBe("registry address 10.1.2.3 is in a private range; set PULLGATE_UPSTREAM_ALLOW_CIDRS to allow it");
    expect(refusalMessage("224.0.0.1", false)).toBe("registry address 224.0.0.1 is not a unicast address and is never allowed");
  });

  it("assertAllowed throws OutboundRefusedError with the details", () => {
    expect(() => policy.assertAllowed("8.8.8.8")).not.toThrow();
    let err: unknown;
    try {
      policy.assertAllowed("10.1.2.3", "internal.example");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OutboundRefusedError);
    expect(err).toMatchObject({
      name: "OutboundRefusedError",
      code: "ERR_PULLGATE_OUTBOUND_REFUSED",
      address: "10.1.2.3",
      range: "private",
      allowable: true,
      hostname: "internal.example",
      message: "registry address 10.1.2.3 is in a private range; set PULLGATE_UPSTREAM_ALLOW_CIDRS to allow it",
    });
    expect(() => policy.assertAllowed("ff02::1")).toThrow("registry address ff02::1 is not a unicast address and is never allowed");
    expect(() => allowedBy("10.0.0.0/8").assertAllowed("10.1.2.3")).not.toThrow();
  });
});

describe("outboundPolicy() from the environment", () => {
  const saved = process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS;
  afterEach(() => {
    if (saved === undefined) delete process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS;
    else process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = saved;
  });

  it("reads PULLGATE_UPSTREAM_ALLOW_CIDRS on every call and parses each value once", () => {
    delete process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS;
    const none = outboundPolicy();
    expect(none.allowCidrs).toEqual([]);
    expect(none.check("127.0.0.1").allowed).toBe(false);
    expect(outboundPolicy()).toBe(none);

    process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = "127.0.0.0/8";
    const loopback = outboundPolicy();
    expect(loopback).not.toBe(none);
    expect(loopback.check("127.0.0.1").allowed).toBe(true);
    expect(outboundPolicy()).toBe(loopback);

    process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = "127.0.0.0/8,bogus";
    expect(() => outboundPolicy()).toThrow(InvalidCidrError);
  });
});
