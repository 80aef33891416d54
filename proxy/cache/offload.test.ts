import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { OFFLOAD_RETRY_HEADER, offloadUri, parseOffloadConfig, shouldOffload } from "./offload";

const request = (method: string, headers: Record<string, string> = {}) => ({ method, headers }) as unknown as IncomingMessage;

describe("offload settings", () => {
  it("is off unless PULLGATE_OFFLOAD names nginx", () => {
    expect(parseOffloadConfig("", "/_pullgate_cache/")).toBeNull();
    expect(parseOffloadConfig("off", "/_pullgate_cache/")).toBeNull();
    expect(parseOffloadConfig("nginx", "/_pullgate_cache/")).toEqual({ kind: "nginx", prefix: "/_pullgate_cache/" });
    expect(() => parseOffloadConfig("s3", "/_pullgate_cache/")).toThrow('PULLGATE_OFFLOAD must be "nginx" or empty, not "s3"');
    expect(() => parseOffloadConfig("nginx", "/with space/")).toThrow("PULLGATE_OFFLOAD_PREFIX");
  });

  it("offloads GETs only, and not nginx's own retry", () => {
    const offload = parseOffloadConfig("nginx", "/_c/");
    expect(shouldOffload(offload, request("GET"))).toBe(true);
    expect(shouldOffload(offload, request("HEAD"))).toBe(false);
    expect(shouldOffload(offload, request("GET", { [OFFLOAD_RETRY_HEADER]: "1" }))).toBe(false);
    expect(shouldOffload(null, request("GET"))).toBe(false);
  });

  it("maps a cache file to the internal location, never outside the cache", () => {
    const offload = parseOffloadConfig("nginx", "/_c/")!;
    expect(offloadUri(offload, "/var/cache/pg", { path: "/var/cache/pg/reg_1/sha256/ab12" })).toBe("/_c/reg_1/sha256/ab12");
    expect(() => offloadUri(offload, "/var/cache/pg", { path: "/etc/passwd" })).toThrow("outside the cache root");
  });
});
