import { createHash, randomBytes } from "node:crypto";
import os from "node:os";
import { describe, expect, it, vi } from "vitest";

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

describe("createIncrementalHash", () => {
  it.each(["1", "0"])("PULLGATE_HASH_WORKER=%s gives the same sha256 as node:crypto, across batches and aborts", async (setting) => {
    process.env.PULLGATE_HASH_WORKER = setting;
    // A fresh module instance: the setting is read when the shared worker is first wanted.
    vi.resetModules();
    const { createIncrementalHash } = await import("./hash-worker");
    const data = randomBytes(3 * 1024 * 1024 + 12345);
    const hash = createIncrementalHash("sha256");
    for (let i = 0; i < data.length; i += 65536) hash.update(data.subarray(i, i + 65536));
    expect(await hash.digest()).toBe(sha256(data));

    // An abandoned download does not disturb another one hashed at the same time.
    const aborted = createIncrementalHash("sha256");
    const next = createIncrementalHash("sha256");
    aborted.update(data.subarray(0, 100));
    next.update(data.subarray(0, 2 * 1024 * 1024));
    aborted.abort();
    next.update(data.subarray(2 * 1024 * 1024));
    expect(await next.digest()).toBe(sha256(data));
  });

  it("the worker hands each hashed batch back, and later downloads hash into those instead of fresh memory", async () => {
    process.env.PULLGATE_HASH_WORKER = "1";
    vi.resetModules();
    const { createIncrementalHash, hashBatchCounts } = await import("./hash-worker");
    const data = randomBytes(4 * 1024 * 1024);
    for (let round = 0; round < 3; round++) {
      const hash = createIncrementalHash("sha256");
      for (let i = 0; i < data.length; i += 300_000) hash.update(data.subarray(i, i + 300_000));
      // The digest is answered after every batch was hashed, so all of them came back first.
      expect(await hash.digest()).toBe(sha256(data));
    }
    // The first download allocated its 4 batches; the two after it used them again.
    expect(hashBatchCounts()).toEqual({ allocated: 4, reused: 8 });
  });

  it("shared-memory chunks are hashed in place, in order with copied ones, and counted as hashed once the worker is done with them", async () => {
    process.env.PULLGATE_HASH_WORKER = "1";
    vi.resetModules();
    const { createIncrementalHash, hashBatchCounts } = await import("./hash-worker");
    const data = randomBytes(3 * 1024 * 1024 + 999);
    const shared = Buffer.from(new SharedArrayBuffer(data.length));
    data.copy(shared);
    let told = 0;
    const hash = createIncrementalHash("sha256", () => told++);
    // Plain, shared, plain, shared: the digest only matches if the worker keeps the order.
    hash.update(data.subarray(0, 1000));
    hash.update(shared.subarray(1000, 2 * 1024 * 1024));
    hash.update(data.subarray(2 * 1024 * 1024, 2 * 1024 * 1024 + 5000));
    hash.update(shared.subarray(2 * 1024 * 1024 + 5000));
    // Nothing is hashed until the worker answers (the copied bytes may be reused at once all the same).
    expect(hash.hashed).toBe(0);
    expect(told).toBe(0);
    expect(await hash.digest()).toBe(sha256(data));
    expect(hash.hashed).toBe(data.length);
    // One answer per batch and per shared chunk, each before the digest.
    expect(told).toBe(4);
    // The 3 MiB of shared bytes were never copied into batches: only the two plain runs took one each.
    expect(hashBatchCounts()).toEqual({ allocated: 2, reused: 0 });
  });

  it("inline, every chunk is hashed by the time update() returns", async () => {
    process.env.PULLGATE_HASH_WORKER = "0";
    vi.resetModules();
    const { createIncrementalHash } = await import("./hash-worker");
    const shared = Buffer.from(new SharedArrayBuffer(4096));
    randomBytes(4096).copy(shared);
    const hash = createIncrementalHash("sha256");
    hash.update(shared.subarray(0, 1000));
    expect(hash.hashed).toBe(1000);
    hash.update(shared.subarray(1000));
    expect(hash.hashed).toBe(4096);
    expect(await hash.digest()).toBe(sha256(Buffer.from(shared)));
  });

  it("a worker that dies fails the digests it owed, and later hashes are computed inline", async () => {
    process.env.PULLGATE_HASH_WORKER = "1";
    vi.resetModules();
    const { createIncrementalHash } = await import("./hash-worker");
    const data = randomBytes(2 * 1024 * 1024 + 7);
    let told = 0;
    const owed = createIncrementalHash("sha256", () => told++);
    owed.update(data);
    // An unknown algorithm throws inside the worker: it exits with an error.
    const broken = createIncrementalHash("no-such-algorithm");
    const results = await Promise.allSettled([owed.digest(), broken.digest()]);
    expect(results.map((r) => (r.status === "rejected" ? (r.reason as Error).message : r.value))).toEqual(["hash worker failed", "hash worker failed"]);
    // A download waiting for it is told too (it may have paused for the digest).
    expect(owed.failed).toBe(true);
    expect(told).toBeGreaterThan(0);
    const after = createIncrementalHash("sha256");
    after.update(data);
    expect(await after.digest()).toBe(sha256(data));
    expect(() => after.update(data)).toThrow();
    // Inline for good: no new worker is started, so an unknown algorithm fails at once.
    expect(() => createIncrementalHash("no-such-algorithm")).toThrow("Digest method not supported");
  });

  it("an aborted hash takes no more data and gives no digest", async () => {
    process.env.PULLGATE_HASH_WORKER = "1";
    vi.resetModules();
    const { createIncrementalHash } = await import("./hash-worker");
    const hash = createIncrementalHash("sha256");
    hash.update(randomBytes(2 * 1024 * 1024 + 5));
    hash.abort();
    expect(() => hash.update(Buffer.from("more"))).toThrow("hash already finished");
    await expect(hash.digest()).rejects.toThrow("hash worker failed");
    // The worker itself is fine.
    const next = createIncrementalHash("sha256");
    next.update(Buffer.from("abc"));
    expect(await next.digest()).toBe(sha256(Buffer.from("abc")));
  });

  it("a hash started before the worker died fails at digest() instead of waiting forever", async () => {
    process.env.PULLGATE_HASH_WORKER = "1";
    vi.resetModules();
    const { createIncrementalHash } = await import("./hash-worker");
    const data = randomBytes(1024);
    const started = createIncrementalHash("sha256");
    started.update(data);
    const broken = createIncrementalHash("no-such-algorithm");
    await expect(broken.digest()).rejects.toThrow("hash worker failed");
    const outcome = await Promise.race([
      started.digest().then(
        () => "resolved",
        (err: Error) => err.message,
      ),
      new Promise((resolve) => setTimeout(() => resolve("still waiting"), 2_000)),
    ]);
    expect(outcome).toBe("hash worker failed");
  });

  it("a finished hash refuses more data, and abort after the end is harmless", async () => {
    process.env.PULLGATE_HASH_WORKER = "1";
    vi.resetModules();
    const { createIncrementalHash } = await import("./hash-worker");
    const hash = createIncrementalHash("sha256");
    hash.update(Buffer.from("abc"));
    expect(await hash.digest()).toBe(sha256(Buffer.from("abc")));
    expect(() => hash.update(Buffer.from("d"))).toThrow("hash already finished");
    hash.abort();
    const empty = createIncrementalHash("sha256");
    expect(await empty.digest()).toBe(sha256(Buffer.alloc(0)));
  });

  // Which one hashes shows in how an unknown algorithm fails: inline, createHash throws at once;
  // in the worker, the worker dies and the digest is refused.
  it.each([
    [undefined, 2, "worker"],
    [undefined, 1, "inline"],
    ["0", 8, "inline"],
    ["1", 2, "worker"],
  ])("PULLGATE_HASH_WORKER=%s with %i cores hashes %s", async (setting, cores, where) => {
    if (setting === undefined) delete process.env.PULLGATE_HASH_WORKER;
    else process.env.PULLGATE_HASH_WORKER = setting;
    const parallelism = vi.spyOn(os, "availableParallelism").mockReturnValue(cores);
    try {
      vi.resetModules();
      const { createIncrementalHash } = await import("./hash-worker");
      let outcome: string;
      try {
        const hash = createIncrementalHash("no-such-algorithm");
        outcome = await hash.digest().then(
          () => "digest",
          (err: Error) => err.message,
        );
      } catch (err) {
        outcome = `thrown: ${(err as Error).message}`;
      }
      expect(outcome).toMatch(where === "worker" ? /^hash worker failed$/ : /^thrown: /);
    } finally {
      parallelism.mockRestore();
    }
  });
});
