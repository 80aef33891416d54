import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
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
