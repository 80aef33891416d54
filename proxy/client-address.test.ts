import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { addressGroup } from "@/lib/http/client-address";
import { clientAddress } from "./client-address";

function request(remoteAddress: string, forwardedFor?: string | string[]): IncomingMessage {
  return { socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor } } as unknown as IncomingMessage;
}

describe("clientAddress", () => {
  it("uses the peer address unless forwarded headers are trusted", () => {
    expect(clientAddress(request("10.0.0.5", "203.0.113.9"), false)).toBe("10.0.0.5");
  });

  it("takes the entry the trusted proxy appended, not the ones the client sent", () => {
    expect(clientAddress(request("127.0.0.1", "198.51.100.1, 203.0.113.9"), true)).toBe("203.0.113.9");
    expect(clientAddress(request("127.0.0.1", ["198.51.100.1", "2001:db8::7"]), true)).toBe("2001:db8::7");
  });

  it("falls back to the peer when the header is missing or not an address", () => {
    expect(clientAddress(request("127.0.0.1"), true)).toBe("127.0.0.1");
    expect(clientAddress(request("127.0.0.1", "198.51.100.1, not-an-ip"), true)).toBe("127.0.0.1");
  });
});

describe("addressGroup", () => {
  it("keeps an IPv4 address as it is, and unwraps IPv4-mapped IPv6", () => {
    expect(addressGroup("203.0.113.9")).toBe("203.0.113.9");
    expect(addressGroup("::ffff:203.0.113.9")).toBe("203.0.113.9");
  });

  it("groups IPv6 addresses by their /64, however they are written", () => {
    const group = addressGroup("2001:db8:1:2::1");
    expect(group).toBe("2001:db8:1:2::/64");
    expect(addressGroup("2001:0db8:0001:0002:ffff:eeee:dddd:cccc")).toBe(group);
    expect(addressGroup("2001:db8:1:2:abcd::9")).toBe(group);
    expect(addressGroup("2001:db8:1:3::1")).not.toBe(group);
  });

  it("passes anything that is not an address through", () => {
    expect(addressGroup("unknown")).toBe("unknown");
  });
});
