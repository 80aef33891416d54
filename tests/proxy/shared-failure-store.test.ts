import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { prisma } from "@/lib/db/client";
import { AuthThrottle, type AuthAttempt } from "../../proxy/auth-rate-limit";
import { SharedFailureStore } from "../../proxy/shared-failure-store";
import type { PrismaClient } from "@/lib/generated/prisma/client";

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

  describe("reads under load", () => {
    afterEach(() => vi.useRealTimers());

    /** The store on the real database, its reads counted (and made to fail on demand). */
    function countedStore() {
      const reads = { count: 0, fail: false, held: null as Promise<void> | null };
      const client = {
        $queryRaw: (...args: Parameters<PrismaClient["$queryRaw"]>) => {
          const sql = (args[0] as unknown as string[]).join("?");
          if (/^\s*SELECT/.test(sql)) {
            reads.count++;
            if (reads.fail) return Promise.reject(new Error("database unavailable"));
            // The query runs now; its answer arrives once `held` settles.
            const held = reads.held;
            if (held) return prisma.$queryRaw(...args).then(async (rows) => (await held, rows));
          }
          return prisma.$queryRaw(...args);
        },
        $executeRaw: (...args: Parameters<PrismaClient["$executeRaw"]>) => prisma.$executeRaw(...args),
      };
      return { store: new SharedFailureStore(client as unknown as PrismaClient), reads, key: `test|${randomBytes(6).toString("hex")}` };
    }

    /** The same, with its key read once at a fake clock's start (`first`: that answer). */
    async function readOnce() {
      vi.useFakeTimers({ toFake: ["Date"] });
      const counted = countedStore();
      const start = Date.now();
      const first = await counted.store.get(counted.key, start, 60_000);
      return { ...counted, start, first };
    }

    it("64 requests asking at once for a key not read yet wait for one query, and all see its count", async () => {
      const { store, reads, key } = countedStore();
      const now = Date.now();
      await new SharedFailureStore(prisma).increment(key, now, 60_000);
      const answers = await Promise.all(Array.from({ length: 64 }, () => store.get(key, now, 60_000)));
      expect(reads.count).toBe(1);
      expect(answers.map((a) => a?.failures)).toEqual(Array(64).fill(1));
    });

    it("a busy key is read again in the background before its second is up; requests meanwhile are answered from memory", async () => {
      const { store, reads, key, start } = await readOnce();
      expect(reads.count).toBe(1);

      vi.setSystemTime(start + 500);
      await store.get(key, start + 500, 60_000);
      expect(reads.count).toBe(1);

      // Another replica records a failure; 800 ms on, this one still answers what it read, and reads once in the background.
      await new SharedFailureStore(prisma).increment(key, start + 600, 60_000);
      vi.setSystemTime(start + 800);
      const answers = await Promise.all(Array.from({ length: 16 }, () => store.get(key, start + 800, 60_000)));
      expect(answers).toEqual(Array(16).fill(null));
      expect(reads.count).toBe(1 + 1);
      await vi.waitFor(async () => expect(await store.get(key, start + 800, 60_000)).toMatchObject({ failures: 1 }));
      expect(reads.count).toBe(2);
    });

    it("past its second a key is read again before answering, so another replica's failures count within it", async () => {
      const { store, reads, key, start, first } = await readOnce();
      expect(first).toBeNull();
      await new SharedFailureStore(prisma).increment(key, start + 100, 60_000);
      vi.setSystemTime(start + 1_000);
      expect(await store.get(key, start + 1_000, 60_000)).toMatchObject({ failures: 1 });
      expect(reads.count).toBe(2);
    });

    it("a failed read ahead keeps the remembered answer; past the second the failure reaches the request", async () => {
      const { store, reads, key, start } = await readOnce();
      reads.fail = true;
      vi.setSystemTime(start + 900);
      expect(await store.get(key, start + 900, 60_000)).toBeNull();
      expect(reads.count).toBe(2);
      vi.setSystemTime(start + 1_000);
      await expect(store.get(key, start + 1_000, 60_000)).rejects.toThrow("database unavailable");
    });

    it("a read that started before this process recorded a failure does not overwrite the newer count", async () => {
      const { store, reads, key } = countedStore();
      const now = Date.now();
      let release!: () => void;
      reads.held = new Promise((resolve) => (release = resolve));
      const reading = store.get(key, now, 60_000);
      await new Promise((resolve) => setTimeout(resolve, 50)); // the read has seen no row by now
      await store.increment(key, now, 60_000);
      release();
      expect(await reading).toBeNull();
      expect(await store.get(key, now, 60_000)).toMatchObject({ failures: 1 });
      expect(reads.count).toBe(1);
    });
  });
});
