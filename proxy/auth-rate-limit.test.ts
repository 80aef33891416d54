import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AuthThrottle, MemoryFailureStore, type AuthAttempt } from "./auth-rate-limit";

process.env.PULLGATE_SECRET_KEY ||= randomBytes(32).toString("base64");

const basic = (password: string, address = "198.51.100.7"): AuthAttempt => ({ address, credentials: { kind: "basic", username: "LICENSE_ID", password } });

describe("AuthThrottle", () => {
  it("lets a credential fail freely a few times, then makes it wait longer after each further failure", async () => {
    const throttle = new AuthThrottle(new MemoryFailureStore(), { freeFailures: 3, baseDelayMs: 1000, maxDelayMs: 8000 });
    const stale = basic("stale-license-id");
    let now = 1_000_000;
    for (let i = 0; i < 3; i++) expect(await throttle.recordFailure(stale, now)).toBe(0);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const wait = await throttle.recordFailure(stale, now);
      waits.push(wait);
      expect(await throttle.retryAfterSeconds(stale, now)).toBe(wait);
      now += wait * 1000; // tries again exactly when allowed
      expect(await throttle.retryAfterSeconds(stale, now)).toBe(0);
    }
    expect(waits).toEqual([1, 2, 4, 8, 8]);
  });

  it("never holds one credential's failures against another credential or another network", async () => {
    const throttle = new AuthThrottle(new MemoryFailureStore(), { freeFailures: 2, baseDelayMs: 60_000 });
    const now = 5_000_000;
    for (let i = 0; i < 10; i++) await throttle.recordFailure(basic("stale"), now);
    expect(await throttle.retryAfterSeconds(basic("stale"), now)).toBeGreaterThan(0);
    expect(await throttle.retryAfterSeconds(basic("correct"), now)).toBe(0);
    expect(await throttle.retryAfterSeconds({ address: "198.51.100.7", credentials: { kind: "bearer", token: "stale" } }, now)).toBe(0);
    expect(await throttle.retryAfterSeconds(basic("stale", "198.51.100.8"), now)).toBe(0);
  });

  it("counts an IPv6 client's whole /64 as one network, and the password without the username", async () => {
    const throttle = new AuthThrottle(new MemoryFailureStore(), { freeFailures: 2, baseDelayMs: 60_000 });
    const now = 7_000_000;
    for (let i = 1; i <= 3; i++) {
      await throttle.recordFailure({ address: `2001:db8:5:6::${i.toString(16)}`, credentials: { kind: "basic", username: `user-${i}`, password: "stale" } }, now);
    }
    expect(await throttle.retryAfterSeconds(basic("stale", "2001:db8:5:6:ffff::1"), now)).toBe(60);
    expect(await throttle.retryAfterSeconds(basic("stale", "2001:db8:5:7::1"), now)).toBe(0);
  });

  it("forgets a credential that stopped failing", async () => {
    const throttle = new AuthThrottle(new MemoryFailureStore(), { freeFailures: 1, baseDelayMs: 1000, forgetAfterMs: 60_000 });
    let now = 9_000_000;
    await throttle.recordFailure(basic("x"), now);
    expect(await throttle.recordFailure(basic("x"), now)).toBe(1);
    now += 60_000;
    expect(await throttle.recordFailure(basic("x"), now)).toBe(0); // counted from one again
  });
});

describe("MemoryFailureStore", () => {
  it("stays within its bound under a flood of distinct keys, keeping the most recent", async () => {
    const store = new MemoryFailureStore(1000);
    for (let i = 0; i < 5000; i++) await store.increment(`key-${i}`, 1_000 + i, 3_600_000);
    expect(store.size).toBeLessThanOrEqual(1000);
    expect(await store.get("key-4999", 10_000, 3_600_000)).toEqual({ failures: 1, lastFailureAt: 5_999 });
    expect(await store.get("key-0", 10_000, 3_600_000)).toBeNull();
  });
});
