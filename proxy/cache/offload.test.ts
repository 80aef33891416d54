import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { OFFLOAD_KEY_HEADER, OFFLOAD_RETRY_HEADER, offloadUri, parseOffloadConfig, shouldOffload } from "./offload";

const key = () => "k3y";
const request = (method: string, headers: Record<string, string> = {}) => ({ method, headers }) as unknown as IncomingMessage;

describe("offload settings", () => {
  it("is off unless PULLGATE_OFFLOAD names nginx", () => {
    expect(parseOffloadConfig("", "/_pullgate_cache/", key)).toBeNull();
    expect(parseOffloadConfig("off", "/_pullgate_cache/", key)).toBeNull();
    expect(parseOffloadConfig("nginx", "/_pullgate_cache/", key)).toEqual({ kind: "nginx", prefix: "/_pullgate_cache/", key: "k3y" });
    expect(() => parseOffloadConfig("s3", "/_pullgate_cache/", key)).toThrow('PULLGATE_OFFLOAD must be "nginx" or empty, not "s3"');
    expect(() => parseOffloadConfig("nginx", "/with space/", key)).toThrow("PULLGATE_OFFLOAD_PREFIX");
  });

  it("offloads GETs that came through our nginx only, and not nginx's own retry", () => {
    const offload = parseOffloadConfig("nginx", "/_c/", key);
    const viaNginx = { [OFFLOAD_KEY_HEADER]: "k3y" };
    expect(shouldOffload(offload, request("GET", viaNginx))).toBe(true);
    expect(shouldOffload(offload, request("HEAD", viaNginx))).toBe(false);
    expect(shouldOffload(offload, request("GET", { ...viaNginx, [OFFLOAD_RETRY_HEADER]: "1" }))).toBe(false);
    expect(shouldOffload(offload, request("GET"))).toBe(false);
    expect(shouldOffload(offload, request("GET", { [OFFLOAD_KEY_HEADER]: "k3x" }))).toBe(false);
    expect(shouldOffload(offload, request("GET", { [OFFLOAD_KEY_HEADER]: "k3y-longer" }))).toBe(false);
    expect(shouldOffload(null, request("GET", viaNginx))).toBe(false);
  });

  it("maps a cache file to the internal location, never outside the cache", () => {
    const offload = parseOffloadConfig("nginx", "/_c/", key)!;
    expect(offloadUri(offload, "/var/cache/pg", { path: "/var/cache/pg/reg_1/sha256/ab12" })).toBe("/_c/reg_1/sha256/ab12");
    expect(() => offloadUri(offload, "/var/cache/pg", { path: "/etc/passwd" })).toThrow("outside the cache root");
  });
});
