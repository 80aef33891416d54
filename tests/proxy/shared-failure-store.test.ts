import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { AuthThrottle, type AuthAttempt } from "../../proxy/auth-rate-limit";
import { SharedFailureStore } from "../../proxy/shared-failure-store";

// Two replicas = two throttles, each with its own store object on the one database.

function attempt(password: string, address = "203.0.113.7"): AuthAttempt {
  return { address, credentials: { kind: "basic", username: "LICENSE_ID", password } };
}

describe("SharedFailureStore", () => {
  it("failures add up across replicas: the throttle trips after the free failures whichever replica saw them", async () => {
    process.env.PULLGATE_SECRET_KEY ||= randomBytes(32).toString("base64");
    const options = { freeFailures: 3, baseDelayMs: 60_000 };
    const a = new AuthThrottle(new SharedFailureStore(prisma), options);
    const b = new AuthThrottle(new SharedFailureStore(prisma), options);
    const wrong = attempt(`wrong-${randomBytes(4).toString("hex")}`);
    const now = Date.now();
    expect(await a.recordFailure(wrong, now)).toBe(0);
    expect(await b.recordFailure(wrong, now)).toBe(0);
    expect(await a.recordFailure(wrong, now)).toBe(0);
    expect(await b.retryAfterSeconds(wrong, now)).toBe(0);
    // The fourth failure, on replica B: over the free three in total.
    expect(await b.recordFailure(wrong, now)).toBe(60);
    // Replica A remembered its last read for at most a second.
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await a.retryAfterSeconds(wrong, now + 1000)).toBe(59);
    // Someone else (another credential, same address) is untouched on both.
    expect(await a.retryAfterSeconds(attempt("another-license"), now)).toBe(0);
    expect(await b.retryAfterSeconds(attempt("another-license"), now)).toBe(0);
  });

  it("a count older than the forget period starts from one again", async () => {
    const store = new SharedFailureStore(prisma);
    const key = `test|${randomBytes(6).toString("hex")}`;
    const now = Date.now();
    await store.increment(key, now - 10_000, 5_000);
    expect((await store.increment(key, now - 9_000, 5_000)).failures).toBe(2);
    expect(await store.get(key, now, 5_000)).toBeNull();
    expect((await store.increment(key, now, 5_000)).failures).toBe(1);
  });
});
