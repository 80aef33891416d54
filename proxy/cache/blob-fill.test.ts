import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ServerResponse } from "node:http";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BlobFill, isDiskFull, type FillOptions } from "./blob-fill";
import { CacheStore } from "./cache-store";
import { sendFromFill, type FillRange } from "./fill-sender";
import type { FillDestination } from "./blob-store";
import { slabCounts, takeSlab } from "@/lib/upstream/slab-pool";
import type * as HashWorker from "./hash-worker";
import type { IncrementalHash } from "./hash-worker";

// Every fill here hashes on the real worker thread (whatever the machine's core count).
process.env.PULLGATE_HASH_WORKER = "1";

// A test may hold back how far the hash says it has got (the hash worker reads slabs in
// place, and downloads wait for it): `hashedUpTo` caps `hashed`, and the test calls the
// `onHashed` callbacks itself (withHeldHash, hashReaches). `killWorker` makes the real
// worker die, as an exception in it would.
const hashHold = vi.hoisted(() => ({ active: false, hashedUpTo: 0, onHashed: [] as (() => void)[], killWorker: () => {} }));
vi.mock("./hash-worker", async (importOriginal) => {
  const actual = await importOriginal<typeof HashWorker>();
  // An unknown algorithm throws inside the worker: it exits with an error.
  hashHold.killWorker = () => void actual.createIncrementalHash("no-such-algorithm").digest().catch(() => {});
  const createIncrementalHash = (algorithm: string, onHashed?: () => void): IncrementalHash => {
    const inner = actual.createIncrementalHash(algorithm, onHashed);
    if (!hashHold.active) return inner;
    if (onHashed) hashHold.onHashed.push(onHashed);
    return {
      update: (chunk) => inner.update(chunk),
      get hashed() {
        return Math.min(inner.hashed, hashHold.hashedUpTo);
      },
      get failed() {
        return inner.failed;
      },
      digest: () => inner.digest(),
      abort: () => inner.abort(),
    };
  };
  return { ...actual, createIncrementalHash };
});

// The shared download in process, without HTTP: what every reader of a blob
// in flight is handed (the whole blob, a range from its own offset, never the
// last byte before the digest checked out), and what a wrong, short, long or
// broken download leaves behind (nothing). The HTTP side is in
// tests/proxy/cache-failures.test.ts and cache-single-flight.test.ts.

const KiB = 1024;
const MiB = 1024 * KiB;
const digestOf = (data: Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

let root: string;
let store: CacheStore;

beforeAll(async () => {
  root = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-blob-fill-"));
  store = await CacheStore.open({ root, maxBytes: 0 });
});

afterAll(async () => {
  await fs.promises.rm(root, { recursive: true, force: true });
});

type Collected = { body: Buffer; error: Error | null };

/** One reader of the fill: sendFromFill writing into a stand-in response whose bytes are collected. */
function collect(fill: BlobFill, range: Omit<FillRange, "onBytes">): Promise<Collected> & { received: () => number; destroy: () => void; res: PassThrough } {
  const res = new PassThrough();
  const chunks: Buffer[] = [];
  let received = 0;
  res.on("data", (c: Buffer) => {
    chunks.push(Buffer.from(c));
    received += c.length;
  });
  const done = sendFromFill(fill, res as unknown as ServerResponse, range).then(
    () => ({ body: Buffer.concat(chunks), error: null }),
    (error: Error) => ({ body: Buffer.concat(chunks), error }),
  );
  return Object.assign(done, { received: () => received, destroy: () => res.destroy(), res });
}

const tick = () => new Promise((r) => setTimeout(r, 20));

/** Waits until `check` holds (events and file writes settle asynchronously). */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await tick();
  }
}

function newFill(digest: string, extra: Partial<FillOptions> = {}) {
  const counts = { upstreamBytes: 0, settled: 0, uncached: 0 };
  const fill = new BlobFill({
    store,
    namespace: "ns1",
    digest,
    repository: "acme/app",
    mediaType: "application/octet-stream",
    onUpstreamBytes: (n) => (counts.upstreamBytes += n),
    onSettled: () => counts.settled++,
    onUncached: () => counts.uncached++,
    ...extra,
  });
  return { fill, counts };
}

/** A fill of `data` (its size announced) already running on a PassThrough the test writes into. */
async function startFill(data: Buffer, extra: Partial<FillOptions> = {}) {
  const { fill, counts } = newFill(digestOf(data), extra);
  await fill.open();
  fill.expectSize(data.length);
  const body = new PassThrough();
  return { fill, counts, body, running: fill.run(body) };
}

/** Writes `data` into `body` in chunks of `chunk` bytes, waiting for the fill to take each one. */
async function feed(fill: BlobFill, body: PassThrough, data: Buffer, chunk: number, upTo = data.length): Promise<void> {
  for (let i = 0; i < upTo; i += chunk) {
    body.write(data.subarray(i, Math.min(i + chunk, upTo)));
    const expected = Math.min(i + chunk, upTo);
    await until(() => fill.received >= expected, `${expected} bytes received`);
  }
}

async function tempFiles(): Promise<string[]> {
  return fs.promises.readdir(store.tmpDir);
}

describe("BlobFill and its readers (sendFromFill)", () => {
  it("verify, commit, and hand every reader its bytes; the last byte waits for the digest", async () => {
    const data = randomBytes(300 * KiB + 17);
    const digest = digestOf(data);
    const { fill, counts } = newFill(digest);
    await fill.open();
    fill.expectSize(data.length);
    expect(fill.size).toBe(data.length);
    const body = new PassThrough();
    const running = fill.run(body);
    const whole = collect(fill, { start: 0, fileChunk: 64 * KiB });

    await feed(fill, body, data, 50 * KiB, 100 * KiB);
    // A range from its own offset, inside what has arrived, and one past it.
    const near = collect(fill, { start: 1000, end: 1999, fileChunk: 64 * KiB });
    const ahead = collect(fill, { start: 200 * KiB, end: 200 * KiB + 4095, fileChunk: 1000 });
    expect((await near).body.equals(data.subarray(1000, 2000))).toBe(true);

    await feed(fill, body, data.subarray(100 * KiB), 50 * KiB);
    // Everything arrived but the upstream has not ended: the last byte is still held back.
    expect(fill.received).toBe(data.length);
    expect(fill.available()).toBe(data.length - 1);
    expect(fill.state).toBe("fetching");
    await until(() => whole.received() === data.length - 1, "all but the last byte delivered");
    await tick();
    expect(whole.received()).toBe(data.length - 1);

    body.end();
    await running;
    expect(fill.state).toBe("verified");
    expect(fill.error).toBeNull();
    expect(fill.available()).toBe(data.length);
    expect(fill.size).toBe(data.length);
    const [w, a] = await Promise.all([whole, ahead]);
    expect(w.error).toBeNull();
    expect(w.body.equals(data)).toBe(true);
    expect(a.body.equals(data.subarray(200 * KiB, 200 * KiB + 4096))).toBe(true);

    // Committed under its digest, with the repository that proved it; nothing left in tmp/.
    expect(fill.entry).not.toBeNull();
    expect(fill.entry!.size).toBe(data.length);
    expect((await fs.promises.readFile(fill.entry!.path)).equals(data)).toBe(true);
    expect([...fill.entry!.repositories]).toEqual(["acme/app"]);
    const lease = store.lease("ns1", digest);
    expect(lease?.entry.mediaType).toBe("application/octet-stream");
    lease?.release();
    expect(counts).toEqual({ upstreamBytes: data.length, settled: 1, uncached: 0 });
    expect(await tempFiles()).toEqual([]);

  });

  it("without a Content-Length, the size is what arrived, and a reader without an end reads to it", async () => {
    const data = randomBytes(70 * KiB);
    const { fill } = newFill(digestOf(data));
    await fill.open();
    fill.expectSize(null);
    const body = new PassThrough();
    const running = fill.run(body);
    const reader = collect(fill, { start: 10, fileChunk: 8 * KiB });
    await feed(fill, body, data, 16 * KiB);
    expect(fill.size).toBeNull();
    body.end();
    await running;
    expect(fill.size).toBe(data.length);
    expect((await reader).body.equals(data.subarray(10))).toBe(true);
  });

  it("serves a reader that is behind the in-memory window from the file", async () => {
    const data = randomBytes(18 * MiB + 3);
    const { fill, body, running } = await startFill(data);
    await feed(fill, body, data, MiB, 18 * MiB);
    await until(() => fill.written >= 17 * MiB, "bytes on disk");
    // The first bytes are gone from memory by now: only the file has them.
    expect(fill.fromWindow(0, 100)).toBeNull();
    expect(fill.memoryStart).toBeGreaterThan(0);
    const last = fill.received - 1;
    expect(fill.fromWindow(last - 9, 10)?.equals(data.subarray(last - 9, last + 1))).toBe(true);
    expect(fill.fromWindow(last + 1, 10)).toBeNull();
    const behind = collect(fill, { start: 5, end: 5 * MiB, fileChunk: 512 * KiB });
    body.end(data.subarray(18 * MiB));
    await running;
    const got = await behind;
    expect(got.error).toBeNull();
    expect(got.body.equals(data.subarray(5, 5 * MiB + 1))).toBe(true);
  });

  const failures: Array<[string, (data: Buffer) => { digest: string; size: number | null; send: (body: PassThrough, data: Buffer) => void }, RegExp]> = [
    ["bytes that do not match the digest", (data) => ({ digest: digestOf(Buffer.concat([data, Buffer.from("x")])), size: null, send: (b, d) => b.end(d) }), /blob digest mismatch/],
    ["a body shorter than announced", (data) => ({ digest: digestOf(data), size: data.length, send: (b, d) => b.end(d.subarray(0, d.length - 10)) }), /after 40950 of 40960 bytes/],
    ["a body longer than announced", (data) => ({ digest: digestOf(data), size: data.length - 1, send: (b, d) => b.end(d) }), /more bytes than it announced/],
    [
      "an upstream that dies mid-body",
      (data) => ({
        digest: digestOf(data),
        size: data.length,
        send: (b, d) => {
          b.write(d.subarray(0, 1000));
          setTimeout(() => b.destroy(new Error("connection reset")), 30);
        },
      }),
      /connection reset/,
    ],
    [
      "an upstream that closes mid-body",
      (data) => ({
        digest: digestOf(data),
        size: data.length,
        send: (b, d) => {
          b.write(d.subarray(0, 1000));
          setTimeout(() => b.destroy(), 30);
        },
      }),
      /closed the connection mid-blob/,
    ],
  ];

  it.each(failures)("%s: readers are cut off short of the end, nothing is kept", async (_name, make, message) => {
    const data = randomBytes(40 * KiB);
    const plan = make(data);
    const { fill, counts } = newFill(plan.digest);
    await fill.open();
    fill.expectSize(plan.size);
    const body = new PassThrough();
    const running = fill.run(body);
    const reader = collect(fill, { start: 0, fileChunk: 4 * KiB });
    plan.send(body, data);
    await running;
    expect(fill.state).toBe("failed");
    expect(fill.error?.message).toMatch(message);
    const got = await reader;
    expect(got.error?.message).toMatch(message);
    expect(got.body.length).toBeLessThan(data.length);
    expect(reader.res.destroyed).toBe(true); // the response is cut off, not ended as if complete
    expect(fill.entry).toBeNull();
    expect(store.lease("ns1", plan.digest)).toBeUndefined();
    expect(counts.settled).toBe(1);
    await until(() => !fs.existsSync(fill.tempPath), "temporary file removed");
    // A reader that comes later is refused at once.
    fill.retain();
    const late = await collect(fill, { start: 0, fileChunk: 4 * KiB });
    fill.release();
    expect(late.error?.message).toMatch(message);
    expect(late.body.length).toBe(0);
  });

  it("a failed fill stays failed, and fail() is idempotent", async () => {
    const data = randomBytes(1000);
    const { fill, counts } = newFill(digestOf(data));
    await fill.open();
    const body = new PassThrough();
    const running = fill.run(body);
    await fill.fail(new Error("first"));
    await fill.fail(new Error("second"));
    await running;
    expect(fill.error?.message).toBe("first");
    expect(counts.settled).toBe(1);
    expect(body.destroyed).toBe(true);
  });

  it("on a full disk: asks for room once, then goes uncached and still delivers the verified blob to its readers", async () => {
    const data = randomBytes(600 * KiB);
    const digest = digestOf(data);
    const asked: number[] = [];
    const { fill, counts } = newFill(digest, {
      onDiskFull: async (bytes) => {
        asked.push(bytes);
        return 0; // nothing could be freed
      },
    });
    await fill.open();
    fill.expectSize(data.length);
    // The disk fills up after the first write.
    const fh = (fill as unknown as { writer: fs.promises.FileHandle }).writer;
    const writev = fh.writev.bind(fh);
    let writes = 0;
    (fh as { writev: typeof fh.writev }).writev = (async (buffers: NodeJS.ArrayBufferView[], position?: number) => {
      if (++writes > 1) throw Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
      return writev(buffers, position);
    }) as typeof fh.writev;
    const body = new PassThrough();
    const running = fill.run(body);
    const first = collect(fill, { start: 0, fileChunk: 64 * KiB });
    const range = collect(fill, { start: 300 * KiB, end: 300 * KiB + 99, fileChunk: 64 * KiB });
    await feed(fill, body, data, 100 * KiB);
    body.end();
    await running;
    expect(fill.uncached).toBe(true);
    expect(counts.uncached).toBe(1);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toBeGreaterThanOrEqual(MiB);
    expect(fill.state).toBe("verified");
    expect((await first).body.equals(data)).toBe(true);
    expect((await range).body.equals(data.subarray(300 * KiB, 300 * KiB + 100))).toBe(true);
    // Delivered, never kept.
    expect(fill.entry).toBeNull();
    expect(store.lease("ns1", digest)).toBeUndefined();
    await until(() => !fs.existsSync(fill.tempPath), "temporary file removed");
  });

  it("an uncached download nobody reads any more is abandoned", async () => {
    const data = randomBytes(200 * KiB);
    const { fill } = newFill(digestOf(data), { onDiskFull: async () => 0 });
    await fill.open();
    fill.expectSize(data.length);
    const fh = (fill as unknown as { writer: fs.promises.FileHandle }).writer;
    (fh as { writev: typeof fh.writev }).writev = (async () => {
      throw Object.assign(new Error("quota exceeded"), { code: "EDQUOT" });
    }) as typeof fh.writev;
    const body = new PassThrough();
    const running = fill.run(body);
    const got = collect(fill, { start: 0, fileChunk: 16 * KiB });
    await feed(fill, body, data, 50 * KiB, 100 * KiB);
    expect(fill.uncached).toBe(true);
    got.destroy();
    await got;
    await running;
    expect(fill.state).toBe("failed");
    expect(fill.error?.message).toMatch(/download abandoned/);
  });

  it("isDiskFull knows ENOSPC and EDQUOT only", () => {
    expect(isDiskFull(Object.assign(new Error(), { code: "ENOSPC" }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error(), { code: "EDQUOT" }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error(), { code: "EIO" }))).toBe(false);
    expect(isDiskFull(null)).toBe(false);
  });
});

/** A reader whose client does not read until flow() is called: its writes stay unfinished. */
function stalledReader(fill: BlobFill, range: Omit<FillRange, "onBytes">) {
  const res = new PassThrough();
  const chunks: Buffer[] = [];
  const done = sendFromFill(fill, res as unknown as ServerResponse, range).then(
    () => ({ body: Buffer.concat(chunks), error: null as Error | null }),
    (error: Error) => ({ body: Buffer.concat(chunks), error: error as Error | null }),
  );
  const flow = () => res.on("data", (c: Buffer) => chunks.push(Buffer.from(c)));
  return Object.assign(done, { flow });
}

/** Replaces the fill's file writes (the disk) with `writev`. */
function stubWrites(fill: BlobFill, writev: (real: fs.promises.FileHandle["writev"], buffers: NodeJS.ArrayBufferView[], position?: number) => Promise<{ bytesWritten: number; buffers: NodeJS.ArrayBufferView[] }>) {
  const fh = (fill as unknown as { writer: fs.promises.FileHandle }).writer;
  const real = fh.writev.bind(fh);
  (fh as { writev: unknown }).writev = (buffers: NodeJS.ArrayBufferView[], position?: number) => writev(real, buffers, position);
}

const diskFull = () => Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
const reservedIn = (s: CacheStore) => (s as unknown as { reservedBytes: number }).reservedBytes;

/** Runs `test` with the hash's progress held (see hashHold), and lets it go after. */
async function withHeldHash(test: () => Promise<void>): Promise<void> {
  Object.assign(hashHold, { active: true, hashedUpTo: 0, onHashed: [] });
  try {
    await test();
  } finally {
    hashHold.active = false;
  }
}

/** The held hash has got to `bytes`, and says so as the worker's answers do. */
function hashReaches(bytes: number): void {
  hashHold.hashedUpTo = bytes;
  for (const told of hashHold.onHashed) told();
}

describe("BlobFill flow control, room and memory", () => {
  it("pauses the upstream once 8 MiB wait for the disk, and resumes when the writer takes them", async () => {
    const data = randomBytes(11 * MiB);
    const { fill } = newFill(digestOf(data));
    await fill.open();
    fill.expectSize(data.length);
    let openGate!: () => void;
    const gate = new Promise<void>((r) => (openGate = r));
    let writes = 0;
    stubWrites(fill, async (real, buffers, position) => {
      if (++writes === 1) await gate; // the disk is slow on the first batch
      return real(buffers, position);
    });
    const body = new PassThrough();
    const running = fill.run(body);
    await feed(fill, body, data, MiB, MiB); // taken by the writer at once (blocked in the write)
    await until(() => writes === 1, "first write started");
    await feed(fill, body, data.subarray(MiB), MiB, 7 * MiB);
    expect(body.isPaused()).toBe(false); // 7 MiB queued: still reading
    await feed(fill, body, data.subarray(8 * MiB), MiB, MiB);
    expect(body.isPaused()).toBe(true); // 8 MiB queued: stop
    body.write(data.subarray(9 * MiB, 10 * MiB));
    await tick();
    expect(fill.received).toBe(9 * MiB);
    expect(fill.written).toBe(0);
    openGate();
    await until(() => fill.received === 10 * MiB, "resumed after the writer took the batch");
    expect(body.isPaused()).toBe(false);
    body.end(data.subarray(10 * MiB));
    await running;
    expect(fill.state).toBe("verified");
    expect((await fs.promises.readFile(fill.entry!.path)).equals(data)).toBe(true);
  });

  it("an uncached fill pauses the upstream for its slowest reader, keeps the bytes it needs, and resumes as it catches up", async () => {
    const data = randomBytes(20 * MiB);
    const { fill } = newFill(digestOf(data), { onDiskFull: async () => 0 });
    await fill.open();
    fill.expectSize(data.length);
    stubWrites(fill, async () => {
      throw diskFull();
    });
    const body = new PassThrough();
    const running = fill.run(body);
    const slow = stalledReader(fill, { start: 0, fileChunk: 64 * KiB });
    const fast = collect(fill, { start: 0, fileChunk: 64 * KiB });
    await feed(fill, body, data, MiB, 16 * MiB);
    expect(fill.uncached).toBe(true);
    // The slow reader has finished no write: every byte stays in memory.
    expect(fill.memoryStart).toBe(0);
    expect(fill.fromWindow(0, 10)?.equals(data.subarray(0, 10))).toBe(true);
    expect(body.isPaused()).toBe(false); // 16 MiB in memory: not over the window yet
    await feed(fill, body, data.subarray(16 * MiB), MiB, MiB);
    expect(body.isPaused()).toBe(true);
    body.write(data.subarray(17 * MiB, 18 * MiB));
    await tick();
    expect(fill.received).toBe(17 * MiB);
    // A reader that arrives now from the start is still served from memory.
    const late = collect(fill, { start: 0, end: 99, fileChunk: 64 * KiB });
    expect((await late).body.equals(data.subarray(0, 100))).toBe(true);
    slow.flow();
    await until(() => fill.received === 18 * MiB, "resumed once the slow reader caught up");
    // What every reader has passed is dropped from memory; a new reader there cannot be served.
    await until(() => fill.memoryStart > 0, "memory trimmed behind the readers");
    const lost = await collect(fill, { start: 0, end: 99, fileChunk: 64 * KiB });
    expect(lost.error?.message).toMatch(/no longer available/);
    expect(lost.body.length).toBe(0);
    const lostLater = await collect(fill, { start: 1000, end: 1099, fileChunk: 64 * KiB });
    expect(lostLater.error?.message).toMatch(/no longer available/);
    body.end(data.subarray(18 * MiB));
    await running;
    expect(fill.state).toBe("verified");
    const [s, f] = await Promise.all([slow, fast]);
    expect(s.error).toBeNull();
    expect(s.body.equals(data)).toBe(true);
    expect(f.body.equals(data)).toBe(true);
    expect(fill.entry).toBeNull();
  });

  it("an uncached fill with no reader at all gives up once memory is over the window", async () => {
    const data = randomBytes(18 * MiB);
    const { fill } = newFill(digestOf(data), { onDiskFull: async () => 0 });
    await fill.open();
    fill.expectSize(data.length);
    stubWrites(fill, async () => {
      throw diskFull();
    });
    const body = new PassThrough();
    const running = fill.run(body);
    for (let i = 0; i < 17; i++) body.write(data.subarray(i * MiB, (i + 1) * MiB));
    await running;
    expect(fill.state).toBe("failed");
    expect(fill.error?.message).toMatch(/no client is reading it$/);
  });

  it.each([
    ["unknown", null, 64 * MiB],
    ["3 MiB", 3 * MiB, 3 * MiB],
    ["100 KiB (at least 1 MiB is asked)", 100 * KiB, MiB],
  ])("a full disk asks the cache for the rest of the blob: size %s", async (_name, size, asked) => {
    const data = randomBytes(size ?? 2 * MiB);
    const requests: number[] = [];
    const { fill } = newFill(digestOf(data), {
      onDiskFull: async (bytes) => {
        requests.push(bytes);
        return 0;
      },
    });
    await fill.open();
    fill.expectSize(size);
    stubWrites(fill, async () => {
      throw diskFull();
    });
    const body = new PassThrough();
    const running = fill.run(body);
    const reader = collect(fill, { start: 0, fileChunk: 64 * KiB });
    body.end(data);
    await running;
    expect(requests).toEqual([asked]);
    expect((await reader).body.equals(data)).toBe(true);
  });

  it("a full disk that the cache makes room on: the write is retried and the blob kept; a second one goes uncached without asking again", async () => {
    const data = randomBytes(300 * KiB);
    let asked = 0;
    const { fill, counts } = newFill(digestOf(data), { onDiskFull: async () => (++asked, 10 * MiB) });
    await fill.open();
    fill.expectSize(data.length);
    let writes = 0;
    stubWrites(fill, async (real, buffers, position) => {
      if (++writes === 1) throw diskFull();
      return real(buffers, position);
    });
    const body = new PassThrough();
    const running = fill.run(body);
    body.end(data);
    await running;
    expect(asked).toBe(1);
    expect(fill.uncached).toBe(false);
    expect(counts.uncached).toBe(0);
    expect((await fs.promises.readFile(fill.entry!.path)).equals(data)).toBe(true);

    const again = randomBytes(300 * KiB);
    const second = newFill(digestOf(again), { onDiskFull: async () => (++asked, 10 * MiB) });
    await second.fill.open();
    second.fill.expectSize(again.length);
    writes = 0;
    stubWrites(second.fill, async (real, buffers, position) => {
      if (++writes <= 2) throw diskFull();
      return real(buffers, position);
    });
    const body2 = new PassThrough();
    const running2 = second.fill.run(body2);
    const reader = collect(second.fill, { start: 0, fileChunk: 64 * KiB });
    body2.end(again);
    await running2;
    expect(asked).toBe(2);
    expect(second.fill.uncached).toBe(true);
    expect((await reader).body.equals(again)).toBe(true);
  });

  it("reserves the announced size against the cache bound, and releases it when done, failed or uncached", async () => {
    const small = await CacheStore.open({ root: path.join(root, "small"), maxBytes: 100 * KiB });
    const make = (data: Buffer, extra: Partial<FillOptions> = {}) =>
      new BlobFill({ store: small, namespace: "ns1", digest: digestOf(data), repository: "acme/app", ...extra });

    // Fits: reserved while in flight, released once committed.
    const fits = randomBytes(60 * KiB);
    const a = make(fits);
    await a.open();
    a.expectSize(fits.length);
    expect(reservedIn(small)).toBe(fits.length);
    const runA = a.run(new PassThrough().end(fits));
    await runA;
    expect(a.entry?.size).toBe(fits.length);
    expect(reservedIn(small)).toBe(0);

    // Failed: released.
    const b = make(fits);
    await b.open();
    b.expectSize(fits.length + 1);
    expect(reservedIn(small)).toBe(fits.length + 1);
    await b.run(new PassThrough().end(fits));
    expect(b.state).toBe("failed");
    expect(reservedIn(small)).toBe(0);

    // Larger than the whole cache (announced, or found out at the end): delivered, never kept.
    for (const announced of [true, false]) {
      const big = randomBytes(150 * KiB);
      const c = make(big);
      await c.open();
      c.expectSize(announced ? big.length : null);
      expect(reservedIn(small)).toBe(0);
      const body = new PassThrough();
      const runC = c.run(body);
      const reader = collect(c, { start: 0, fileChunk: 64 * KiB });
      body.end(big);
      await runC;
      expect(c.state).toBe("verified");
      expect((await reader).body.equals(big)).toBe(true);
      expect(c.entry).toBeNull();
      expect(small.lease("ns1", digestOf(big))).toBeUndefined();
      await until(() => !fs.existsSync(c.tempPath), "temporary file removed");
    }

    // Going uncached gives the room back at once, while the download goes on.
    const d = make(fits, { onDiskFull: async () => 0 });
    await d.open();
    d.expectSize(fits.length);
    stubWrites(d, async () => {
      throw diskFull();
    });
    const bodyD = new PassThrough();
    const runD = d.run(bodyD);
    const readerD = collect(d, { start: 0, fileChunk: 64 * KiB });
    await feed(d, bodyD, fits, 10 * KiB, 20 * KiB);
    await until(() => d.uncached, "uncached");
    expect(d.state).toBe("fetching");
    expect(reservedIn(small)).toBe(0);
    bodyD.end(fits.subarray(20 * KiB));
    await runD;
    expect((await readerD).body.equals(fits)).toBe(true);
    await small.close();
  });

  it("gives an upstream read slab back for reuse only once no reader can still be sending from it", async () => {
    // Safe: every reader finished its writes before the fill settled.
    const slab = takeSlab();
    const data = randomBytes(100 * KiB);
    data.copy(slab);
    const chunk = slab.subarray(0, data.length);
    const { fill, body, running } = await startFill(data);
    const reader = collect(fill, { start: 0, fileChunk: 64 * KiB });
    const before = slabCounts().free;
    body.end(chunk);
    await running;
    expect((await reader).body.equals(data)).toBe(true);
    expect(slabCounts().free).toBe(before + 1);

    // Unsafe: a reader's write of those bytes has not finished: left to the GC, never reused.
    const slab2 = takeSlab();
    const data2 = randomBytes(100 * KiB);
    data2.copy(slab2);
    const second = newFill(digestOf(data2));
    await second.fill.open();
    second.fill.expectSize(data2.length);
    const body2 = new PassThrough();
    const running2 = second.fill.run(body2);
    const stalled = stalledReader(second.fill, { start: 0, fileChunk: 64 * KiB });
    const before2 = slabCounts().free;
    body2.end(slab2.subarray(0, data2.length));
    await running2;
    expect(slabCounts().free).toBe(before2);
    stalled.flow();
    expect((await stalled).body.equals(data2)).toBe(true);
    expect(slabCounts().free).toBe(before2);
  });

  it("while downloading, a slab is given back once its bytes are on disk and behind the window, never the one still read into", async () => {
    const data = randomBytes(20 * MiB);
    const { fill, body, running } = await startFill(data);
    const [a, b] = [takeSlab(), takeSlab()];
    data.copy(a, 0, 0, MiB);
    data.copy(b, 0, MiB, 2 * MiB);
    const before = slabCounts().free;
    body.write(a.subarray(0, MiB));
    body.write(b.subarray(0, MiB));
    await feed(fill, body, data.subarray(2 * MiB), MiB, 14 * MiB);
    await until(() => fill.written === 16 * MiB, "16 MiB on disk");
    // On disk, but still in the 16 MiB window (a reader may be handed a view of it): kept.
    expect(fill.memoryStart).toBe(0);
    expect(slabCounts().free).toBe(before);
    await feed(fill, body, data.subarray(16 * MiB), MiB, MiB);
    await until(() => fill.written === 17 * MiB, "17 MiB on disk");
    expect(fill.memoryStart).toBe(MiB);
    expect(slabCounts().free).toBe(before + 1);
    // The last slab is the one the socket may still be reading into: kept while downloading.
    await feed(fill, body, data.subarray(17 * MiB), MiB, 2 * MiB);
    await until(() => fill.written === 19 * MiB, "19 MiB on disk");
    expect(fill.memoryStart).toBe(3 * MiB);
    expect(slabCounts().free).toBe(before + 1);
    body.end(data.subarray(19 * MiB));
    await running;
    expect(fill.state).toBe("verified");
    expect(slabCounts().free).toBe(before + 2);
  });

  it("a slab on disk and behind the window still waits for the hash to be done with it before it is reused", () =>
    withHeldHash(async () => {
      const data = randomBytes(20 * MiB);
      const { fill, body, running } = await startFill(data);
      const [a, b] = [takeSlab(), takeSlab()];
      data.copy(a, 0, 0, MiB);
      data.copy(b, 0, MiB, 2 * MiB);
      const before = slabCounts().free;
      body.write(a.subarray(0, MiB));
      body.write(b.subarray(0, MiB));
      await feed(fill, body, data.subarray(2 * MiB), MiB, 15 * MiB);
      await until(() => fill.written === 17 * MiB, "17 MiB on disk");
      expect(fill.memoryStart).toBe(MiB);
      // Its bytes are written and out of the window, but the hash has not said it is done: kept.
      expect(slabCounts().free).toBe(before);
      hashReaches(MiB);
      expect(slabCounts().free).toBe(before + 1);
      body.end(data.subarray(17 * MiB));
      hashReaches(Infinity);
      await running;
      expect(fill.state).toBe("verified");
    }));

  it("pauses the upstream while the digest lags more than 32 MiB behind, and resumes once it caught up half way", () =>
    withHeldHash(async () => {
      const data = randomBytes(40 * MiB);
      const { fill, body, running } = await startFill(data);
      await feed(fill, body, data, MiB, 33 * MiB);
      expect(body.isPaused()).toBe(true);
      // The disk is not what holds it: everything received is written.
      await until(() => fill.written === 33 * MiB, "33 MiB on disk");
      expect(body.isPaused()).toBe(true);
      hashReaches(33 * MiB - 16 * MiB - 1);
      expect(body.isPaused()).toBe(true);
      hashReaches(33 * MiB - 16 * MiB);
      expect(body.isPaused()).toBe(false);
      hashReaches(Infinity);
      body.end(data.subarray(33 * MiB));
      await running;
      expect(fill.state).toBe("verified");
    }));

  it("an object-storage destination gets every byte, pauses the upstream while it drains, and is completed or aborted", async () => {
    const data = randomBytes(200 * KiB);
    const written: Buffer[] = [];
    let drained: (() => void) | null = null;
    const completed: unknown[] = [];
    const aborted: Error[] = [];
    const destination: FillDestination = {
      write: (chunk) => (written.push(Buffer.from(chunk)), written.length !== 2),
      onceDrained: (resume) => (drained = resume),
      complete: async (meta) => void completed.push({ ...meta, fileThere: fs.existsSync(meta.file!) }),
      abort: async (reason) => void aborted.push(reason),
    };
    const { fill, body, running } = await startFill(data, { destination });
    await feed(fill, body, data, 50 * KiB, 50 * KiB);
    expect(body.isPaused()).toBe(false);
    await feed(fill, body, data.subarray(50 * KiB), 50 * KiB, 50 * KiB);
    expect(body.isPaused()).toBe(true);
    body.write(data.subarray(100 * KiB, 150 * KiB));
    await tick();
    expect(fill.received).toBe(100 * KiB);
    drained!();
    await until(() => fill.received === 150 * KiB, "resumed once drained");
    body.end(data.subarray(150 * KiB));
    await running;
    expect(Buffer.concat(written).equals(data)).toBe(true);
    expect(completed).toEqual([{ size: data.length, repositories: ["acme/app"], mediaType: "application/octet-stream", file: fill.tempPath, fileThere: true }]);
    expect(aborted).toEqual([]);
    // Kept there, not in the local cache (nor was room reserved in it).
    expect(fill.entry).toBeNull();
    expect(store.lease("ns1", digestOf(data))).toBeUndefined();
    await until(() => !fs.existsSync(fill.tempPath), "temporary file removed");

    const broken = newFill(digestOf(data), { destination });
    await broken.fill.open();
    const reserved = reservedIn(store);
    broken.fill.expectSize(data.length);
    expect(reservedIn(store)).toBe(reserved);
    await broken.fill.run(new PassThrough().end(data.subarray(1)));
    expect(broken.fill.state).toBe("failed");
    expect(aborted).toHaveLength(1);
    expect(completed).toHaveLength(1);
  });

  it("a reader counts what it sent, holds the file open while it reads, and copes with short file reads", async () => {
    const data = randomBytes(18 * MiB + 3);
    const { fill } = newFill(digestOf(data));
    await fill.open();
    fill.expectSize(data.length);
    // The file hands back at most 10 000 bytes per read.
    const realRead = fill.read.bind(fill);
    let reads = 0;
    fill.read = async (buffer, length, position) => (reads++, realRead(buffer, Math.min(length, 10_000), position));
    const body = new PassThrough();
    const running = fill.run(body);
    await feed(fill, body, data, MiB, 18 * MiB);
    await until(() => fill.written >= 17 * MiB, "bytes on disk");
    // Behind the window, so read from the file; its client does not read yet.
    const res = new PassThrough();
    const chunks: Buffer[] = [];
    let counted = 0;
    const reader = sendFromFill(fill, res as unknown as ServerResponse, { start: 7, end: 300 * KiB - 1, fileChunk: 64 * KiB, onBytes: (n) => (counted += n) });
    body.end(data.subarray(18 * MiB));
    await running;
    // Settled and committed: the writer let go of the file, this reader still holds it.
    expect(fill.state).toBe("verified");
    await tick();
    res.on("data", (c: Buffer) => chunks.push(Buffer.from(c)));
    await reader;
    expect(Buffer.concat(chunks).equals(data.subarray(7, 300 * KiB))).toBe(true);
    expect(counted).toBe(300 * KiB - 7);
    expect(reads).toBeGreaterThan(30);
    // The last one out closed it.
    await tick();
    await expect(realRead(Buffer.alloc(1), 1, 0)).rejects.toThrow();

    const empty = newFill(digestOf(data));
    await empty.fill.open();
    empty.fill.expectSize(data.length);
    empty.fill.read = async () => 0;
    const body2 = new PassThrough();
    const running2 = empty.fill.run(body2);
    await feed(empty.fill, body2, data, MiB, 18 * MiB);
    await until(() => empty.fill.written >= 17 * MiB, "bytes on disk");
    const short = await collect(empty.fill, { start: 0, fileChunk: 64 * KiB });
    body2.end(data.subarray(18 * MiB));
    await running2;
    expect(short.error?.message).toMatch(/cache file shorter than written/);
  });
});

/** Makes opening this fill's temporary file fail with each of `errors` in turn, then open it for real. */
function failOpens(fill: BlobFill, errors: Error[]) {
  const realOpen = fs.promises.open.bind(fs.promises);
  const attempts: string[] = [];
  const spy = vi.spyOn(fs.promises, "open").mockImplementation(async (file, flags, mode) => {
    // Only the fill's own opening of its file; the direct writer's second descriptor (direct-writer.ts) is opened after it.
    if (file !== fill.tempPath || flags !== "w+") return realOpen(file, flags, mode);
    const error = errors.shift();
    attempts.push(error ? (error as NodeJS.ErrnoException).code! : "opened");
    if (error) throw error;
    return realOpen(file, flags, mode);
  });
  return { attempts, restore: () => spy.mockRestore() };
}

const errorWithCode = (code: string) => Object.assign(new Error(`${code} from the file system`), { code });

describe("BlobFill.open on a full disk", () => {
  it("makes room (64 MiB asked, the size is not known yet) and opens the file: the blob is kept", async () => {
    const data = randomBytes(100 * KiB);
    const asked: number[] = [];
    const { fill, counts } = newFill(digestOf(data), { onDiskFull: async (bytes) => (asked.push(bytes), 5 * MiB) });
    const opens = failOpens(fill, [diskFull()]);
    try {
      await fill.open();
    } finally {
      opens.restore();
    }
    expect(opens.attempts).toEqual(["ENOSPC", "opened"]);
    expect(asked).toEqual([64 * MiB]);
    expect(fill.uncached).toBe(false);
    fill.expectSize(data.length);
    await fill.run(new PassThrough().end(data));
    expect(fill.state).toBe("verified");
    expect((await fs.promises.readFile(fill.entry!.path)).equals(data)).toBe(true);
    expect(counts.uncached).toBe(0);
  });

  it.each([
    ["no room could be made", async () => 0, [diskFull()], ["ENOSPC"]],
    ["the cache failed to make room", async () => Promise.reject(new Error("eviction failed")), [diskFull()], ["ENOSPC"]],
    ["room was made but the disk is still full", async () => MiB, [diskFull(), errorWithCode("EDQUOT")], ["ENOSPC", "EDQUOT"]],
  ])("%s: no file, uncached, the blob still delivered to its reader and not kept", async (_name, onDiskFull, errors, attempts) => {
    const data = randomBytes(100 * KiB);
    const { fill, counts } = newFill(digestOf(data), { onDiskFull });
    const opens = failOpens(fill, errors);
    try {
      await fill.open();
    } finally {
      opens.restore();
    }
    expect(opens.attempts).toEqual(attempts);
    expect(fill.uncached).toBe(true);
    expect(counts.uncached).toBe(1);
    // Nothing reserved for a blob that will not be kept, and no file to read from.
    const reserved = reservedIn(store);
    fill.expectSize(data.length);
    expect(reservedIn(store)).toBe(reserved);
    await expect(fill.read(Buffer.alloc(1), 1, 0)).rejects.toThrow("fill has no file");
    const body = new PassThrough();
    const running = fill.run(body);
    const reader = collect(fill, { start: 0, fileChunk: 64 * KiB });
    body.end(data);
    await running;
    expect(fill.state).toBe("verified");
    expect((await reader).body.equals(data)).toBe(true);
    expect(fill.entry).toBeNull();
    expect(store.lease("ns1", digestOf(data))).toBeUndefined();
  });

  it.each([
    ["at once", [errorWithCode("EMFILE")], ["EMFILE"], []],
    ["after room was made", [diskFull(), errorWithCode("EACCES")], ["ENOSPC", "EACCES"], [64 * MiB]],
  ])("any other error opening the file is thrown (%s)", async (_name, errors, attempts, askedBefore) => {
    const asked: number[] = [];
    const { fill, counts } = newFill(digestOf(Buffer.from("x")), { onDiskFull: async (bytes) => (asked.push(bytes), MiB) });
    const code = (errors[errors.length - 1] as NodeJS.ErrnoException).code!;
    const opens = failOpens(fill, errors);
    try {
      await expect(fill.open()).rejects.toMatchObject({ code });
    } finally {
      opens.restore();
    }
    expect(opens.attempts).toEqual(attempts);
    expect(asked).toEqual(askedBefore);
    expect(fill.uncached).toBe(false);
    expect(counts.uncached).toBe(0);
  });
});

describe("BlobFill writes", () => {
  it("a write that takes only part of the batch is resumed where it stopped: the file holds the blob exactly", async () => {
    const data = randomBytes(1 * MiB + 333);
    const { fill } = newFill(digestOf(data));
    await fill.open();
    fill.expectSize(data.length);
    let writes = 0;
    // The disk takes at most 100 000 bytes per write.
    stubWrites(fill, async (real, buffers, position) => {
      writes++;
      return real([Buffer.concat(buffers.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength))).subarray(0, 100_000)], position);
    });
    const body = new PassThrough();
    const running = fill.run(body);
    await feed(fill, body, data, 256 * KiB);
    body.end();
    await running;
    expect(fill.state).toBe("verified");
    expect(writes).toBeGreaterThan(10);
    expect((await fs.promises.readFile(fill.entry!.path)).equals(data)).toBe(true);
  });

  it("a write error other than a full disk fails the fill without asking for room", async () => {
    const data = randomBytes(100 * KiB);
    const asked: number[] = [];
    const { fill, counts } = newFill(digestOf(data), { onDiskFull: async (bytes) => (asked.push(bytes), MiB) });
    await fill.open();
    fill.expectSize(data.length);
    stubWrites(fill, async () => {
      throw errorWithCode("EIO");
    });
    const body = new PassThrough();
    const running = fill.run(body);
    const reader = collect(fill, { start: 0, fileChunk: 64 * KiB });
    body.end(data);
    await running;
    expect(fill.state).toBe("failed");
    expect(fill.error?.message).toBe("EIO from the file system");
    expect((await reader).error?.message).toBe("EIO from the file system");
    expect(asked).toEqual([]);
    expect(counts.uncached).toBe(0);
    expect(fill.entry).toBeNull();
  });

  it.each([
    ["no onDiskFull", undefined],
    ["an onDiskFull that fails", async () => Promise.reject(new Error("eviction failed"))],
  ])("a full disk with %s is a full disk: uncached, the write is not retried", async (_name, onDiskFull) => {
    const data = randomBytes(100 * KiB);
    const { fill } = newFill(digestOf(data), { onDiskFull });
    await fill.open();
    fill.expectSize(data.length);
    let writes = 0;
    stubWrites(fill, async (real, buffers, position) => {
      if (++writes === 1) throw diskFull();
      return real(buffers, position);
    });
    const body = new PassThrough();
    const running = fill.run(body);
    const reader = collect(fill, { start: 0, fileChunk: 64 * KiB });
    body.end(data);
    await running;
    expect(writes).toBe(1);
    expect(fill.uncached).toBe(true);
    expect((await reader).body.equals(data)).toBe(true);
    expect(fill.entry).toBeNull();
  });

  it("a disk that fills up part-way asks for the rest of the blob only", async () => {
    const data = randomBytes(3 * MiB);
    const asked: number[] = [];
    const { fill, body, running } = await startFill(data, { onDiskFull: async (bytes) => (asked.push(bytes), 0) });
    const reader = collect(fill, { start: 0, fileChunk: 64 * KiB });
    await feed(fill, body, data, MiB, MiB);
    await until(() => fill.written === MiB, "1 MiB on disk");
    stubWrites(fill, async () => {
      throw diskFull();
    });
    body.end(data.subarray(MiB));
    await running;
    expect(asked).toEqual([2 * MiB]);
    expect(fill.uncached).toBe(true);
    expect((await reader).body.equals(data)).toBe(true);
  });
});

describe("BlobFill writes that stop", () => {
  /** The first write waits for the test, which then lets it through or fails it; later writes go to the disk. */
  function gatedDisk(fill: BlobFill) {
    let release!: (error: Error | null) => void;
    const gate = new Promise<Error | null>((r) => (release = r));
    let writes = 0;
    stubWrites(fill, async (real, buffers, position) => {
      if (++writes === 1) {
        const error = await gate;
        if (error) throw error;
      }
      return real(buffers, position);
    });
    return { release, writes: () => writes };
  }

  it("a write error stops all writing (a batch queued meanwhile is not written) and fails the fill at the next chunk", async () => {
    const data = randomBytes(3 * MiB);
    const { fill } = newFill(digestOf(data));
    await fill.open();
    fill.expectSize(data.length);
    const disk = gatedDisk(fill);
    const body = new PassThrough();
    const running = fill.run(body);
    await feed(fill, body, data, MiB, MiB);
    await until(() => disk.writes() === 1, "first write started");
    await feed(fill, body, data.subarray(MiB), MiB, MiB); // queued behind the first write
    disk.release(errorWithCode("EIO"));
    await tick();
    expect(disk.writes()).toBe(1);
    expect(fill.state).toBe("fetching");
    body.write(data.subarray(2 * MiB, 2 * MiB + 10));
    await until(() => fill.state === "failed", "failed at the next chunk");
    expect(fill.error?.message).toBe("EIO from the file system");
    expect(body.readableEnded).toBe(false); // the upstream was not read to its end first
    await running;
    expect(disk.writes()).toBe(1);
  });

  it("a fill that goes uncached writes nothing more, even what was queued", async () => {
    const data = randomBytes(3 * MiB);
    const { fill } = newFill(digestOf(data), { onDiskFull: async () => 0 });
    await fill.open();
    fill.expectSize(data.length);
    const disk = gatedDisk(fill);
    const body = new PassThrough();
    const running = fill.run(body);
    const reader = collect(fill, { start: 0, fileChunk: 64 * KiB });
    await feed(fill, body, data, MiB, MiB);
    await until(() => disk.writes() === 1, "first write started");
    await feed(fill, body, data.subarray(MiB), MiB, MiB);
    disk.release(diskFull());
    await until(() => fill.uncached, "uncached");
    body.end(data.subarray(2 * MiB));
    await running;
    expect(disk.writes()).toBe(1);
    expect(fill.state).toBe("verified");
    expect((await reader).body.equals(data)).toBe(true);
  });

  it("once verified, readers get the last byte without waiting for the disk; the blob is kept once the write is through", async () => {
    const data = randomBytes(3 * MiB);
    const { fill, counts } = newFill(digestOf(data));
    await fill.open();
    fill.expectSize(data.length);
    const disk = gatedDisk(fill);
    const body = new PassThrough();
    const running = fill.run(body);
    const reader = collect(fill, { start: 0, fileChunk: 64 * KiB });
    await feed(fill, body, data, MiB, MiB);
    await until(() => disk.writes() === 1, "first write started");
    body.end(data.subarray(MiB));
    // The first write is still held: nothing of the blob is on disk, yet the reader has all of it.
    const got = await reader;
    expect(got.error).toBeNull();
    expect(got.body.equals(data)).toBe(true);
    expect(fill.state).toBe("verified");
    expect(fill.written).toBe(0);
    expect(fill.entry).toBeNull();
    expect(counts.settled).toBe(0);
    disk.release(null);
    await running;
    expect(fill.entry).not.toBeNull();
    expect((await fs.promises.readFile(fill.entry!.path)).equals(data)).toBe(true);
    expect(counts.settled).toBe(1);
  });

  it("a write that fails after the digest verified: an object-storage destination, which may read the file, is aborted, not completed", async () => {
    const data = randomBytes(2 * MiB);
    const completed: unknown[] = [];
    const aborted: Error[] = [];
    const destination: FillDestination = {
      write: () => true,
      onceDrained: () => {},
      complete: async (meta) => void completed.push(meta),
      abort: async (reason) => void aborted.push(reason),
    };
    const { fill } = newFill(digestOf(data), { destination });
    await fill.open();
    fill.expectSize(data.length);
    const disk = gatedDisk(fill);
    const body = new PassThrough();
    const running = fill.run(body);
    await feed(fill, body, data, MiB, MiB);
    await until(() => disk.writes() === 1, "first write started");
    body.end(data.subarray(MiB));
    await until(() => fill.state === "verified", "verified");
    disk.release(errorWithCode("EIO"));
    await running;
    expect(completed).toEqual([]);
    expect(aborted.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(["EIO"]);
    expect(await tempFiles()).toEqual([]);
  });

  it("a write that fails after the digest verified: readers still get every byte, the blob is not kept, and its temporary file is removed", async () => {
    const data = randomBytes(2 * MiB);
    const { fill, counts } = newFill(digestOf(data));
    await fill.open();
    fill.expectSize(data.length);
    const disk = gatedDisk(fill);
    const body = new PassThrough();
    const running = fill.run(body);
    const reader = collect(fill, { start: 0, fileChunk: 64 * KiB });
    // A client that has taken next to nothing when the write fails.
    const behind = stalledReader(fill, { start: 0, fileChunk: 64 * KiB });
    await feed(fill, body, data, MiB, MiB);
    await until(() => disk.writes() === 1, "first write started");
    body.end(data.subarray(MiB));
    expect((await reader).body.equals(data)).toBe(true);
    disk.release(errorWithCode("EIO"));
    await running;
    expect(fill.state).toBe("verified");
    behind.flow();
    const late = await behind;
    expect(late.error).toBeNull();
    expect(late.body.equals(data)).toBe(true);
    expect(fill.entry).toBeNull();
    expect(store.lease("ns1", digestOf(data))).toBeUndefined();
    expect(await tempFiles()).toEqual([]);
    expect(counts.settled).toBe(1);
  });

  it.each([
    ["fails on an error", errorWithCode("EIO"), "failed"],
    ["goes on uncached on a full disk", diskFull(), "verified"],
  ])("an upstream paused for a slow disk is resumed when the write stops: the fill %s", async (_name, error, state) => {
    const data = randomBytes(11 * MiB);
    const { fill } = newFill(digestOf(data), { onDiskFull: async () => 0 });
    await fill.open();
    fill.expectSize(data.length);
    const disk = gatedDisk(fill);
    const body = new PassThrough();
    const running = fill.run(body);
    const reader = collect(fill, { start: 0, fileChunk: 64 * KiB });
    await feed(fill, body, data, MiB, MiB);
    await until(() => disk.writes() === 1, "first write started");
    await feed(fill, body, data.subarray(MiB), MiB, 8 * MiB);
    expect(body.isPaused()).toBe(true);
    body.end(data.subarray(9 * MiB));
    disk.release(error);
    await until(() => fill.state !== "fetching", "the fill settled");
    await running;
    expect(fill.state).toBe(state);
    const got = await reader;
    if (state === "verified") expect(got.body.equals(data)).toBe(true);
    else expect(got.error?.message).toBe("EIO from the file system");
  });
});

describe("BlobFill resuming an uncached fill's upstream", () => {
  it("stays paused for a stalled reader while others read, until memory is down to half the window", async () => {
    const data = randomBytes(20 * MiB);
    const { fill } = newFill(digestOf(data), { onDiskFull: async () => 0 });
    await fill.open();
    fill.expectSize(data.length);
    stubWrites(fill, async () => {
      throw diskFull();
    });
    const body = new PassThrough();
    const running = fill.run(body);
    const slow = stalledReader(fill, { start: 0, fileChunk: 64 * KiB });
    await feed(fill, body, data, MiB, 17 * MiB);
    expect(body.isPaused()).toBe(true);
    body.write(data.subarray(17 * MiB, 18 * MiB));
    // Readers that take bytes do not resume it while the stalled one holds 17 MiB in memory.
    for (const start of [0, 5 * MiB, 10 * MiB, 15 * MiB]) {
      expect((await collect(fill, { start, end: start + MiB - 1, fileChunk: 64 * KiB })).body.equals(data.subarray(start, start + MiB))).toBe(true);
    }
    await tick();
    expect(fill.received).toBe(17 * MiB);
    slow.flow();
    await until(() => fill.received === 18 * MiB, "resumed once the stalled reader caught up");
    body.end(data.subarray(18 * MiB));
    await running;
    expect((await slow).body.equals(data)).toBe(true);
  });

  it("is not resumed by its readers while a slow destination has not drained", async () => {
    const data = randomBytes(300 * KiB);
    let drained: (() => void) | null = null;
    let writes = 0;
    const destination: FillDestination = {
      write: () => ++writes !== 2,
      onceDrained: (resume) => (drained = resume),
      complete: async () => {},
      abort: async () => {},
    };
    const { fill } = newFill(digestOf(data), { destination, onDiskFull: async () => 0 });
    await fill.open();
    fill.expectSize(data.length);
    stubWrites(fill, async () => {
      throw diskFull();
    });
    const body = new PassThrough();
    const running = fill.run(body);
    const reader = collect(fill, { start: 0, fileChunk: 64 * KiB });
    await feed(fill, body, data, 100 * KiB, 100 * KiB);
    await until(() => fill.uncached, "uncached");
    await feed(fill, body, data.subarray(100 * KiB), 100 * KiB, 100 * KiB);
    expect(body.isPaused()).toBe(true);
    body.write(data.subarray(200 * KiB, 250 * KiB));
    // The reader takes everything it can (all but the last byte), reporting as it goes: still paused.
    await until(() => reader.received() === 200 * KiB - 1, "reader caught up");
    await tick();
    expect(fill.received).toBe(200 * KiB);
    drained!();
    await until(() => fill.received === 250 * KiB, "resumed once drained");
    body.end(data.subarray(250 * KiB));
    await running;
    expect((await reader).body.equals(data)).toBe(true);
  });
});

describe("BlobFill odd moments", () => {
  it("a cached download goes on (and is kept) after its only reader is done", async () => {
    const data = randomBytes(200 * KiB);
    const { fill, body, running } = await startFill(data);
    const first = collect(fill, { start: 0, end: 999, fileChunk: 64 * KiB });
    await feed(fill, body, data, 100 * KiB, 100 * KiB);
    expect((await first).body.equals(data.subarray(0, 1000))).toBe(true);
    expect(fill.state).toBe("fetching");
    body.end(data.subarray(100 * KiB));
    await running;
    expect(fill.state).toBe("verified");
    expect((await fs.promises.readFile(fill.entry!.path)).equals(data)).toBe(true);
  });

  it("a fill failed before its download started settles and removes its file", async () => {
    const { fill, counts } = newFill(digestOf(Buffer.from("never fetched")));
    await fill.open();
    await fill.fail(new Error("no upstream"));
    expect(fill.state).toBe("failed");
    expect(counts.settled).toBe(1);
    expect(fs.existsSync(fill.tempPath)).toBe(false);
  });

  it("a fill failed while its file is still being created closes and removes the file once it exists", async () => {
    const { fill, counts } = newFill(digestOf(Buffer.from("refused upstream")));
    const realOpen = fs.promises.open.bind(fs.promises);
    let letOpen!: () => void;
    const gate = new Promise<void>((r) => (letOpen = r));
    const spy = vi.spyOn(fs.promises, "open").mockImplementation(async (file, flags, mode) => {
      if (file === fill.tempPath && flags === "w+") await gate; // the file system is slow; the upstream's "no" came first
      return realOpen(file, flags, mode);
    });
    const descriptors = () => fs.readdirSync("/proc/self/fd").length;
    const before = descriptors();
    try {
      const opening = fill.open();
      const failing = fill.fail(new Error("the upstream refused"));
      expect(counts.settled).toBe(1);
      letOpen();
      await opening;
      await failing;
    } finally {
      spy.mockRestore();
    }
    expect(fill.state).toBe("failed");
    expect(fs.existsSync(fill.tempPath)).toBe(false);
    await until(() => descriptors() === before, "both descriptors of the file closed");
    expect(descriptors()).toBe(before);
  });

  it("an upstream paused for the disk resumes as soon as the writer takes the waiting batch, not when it is written", async () => {
    const data = randomBytes(12 * MiB);
    const { fill } = newFill(digestOf(data));
    await fill.open();
    fill.expectSize(data.length);
    const gates: Array<() => void> = [];
    let writes = 0;
    stubWrites(fill, async (real, buffers, position) => {
      if (++writes <= 2) await new Promise<void>((r) => gates.push(r));
      return real(buffers, position);
    });
    const body = new PassThrough();
    const running = fill.run(body);
    await feed(fill, body, data, MiB, MiB);
    await until(() => writes === 1, "first write started");
    await feed(fill, body, data.subarray(MiB), MiB, 8 * MiB);
    expect(body.isPaused()).toBe(true);
    body.write(data.subarray(9 * MiB, 10 * MiB));
    gates[0]!();
    await until(() => writes === 2, "the waiting batch taken");
    await until(() => fill.received === 10 * MiB, "resumed while the batch is being written");
    expect(fill.written).toBe(MiB);
    gates[1]!();
    body.end(data.subarray(10 * MiB));
    await running;
    expect(fill.state).toBe("verified");
  });
});

describe("BlobFill slabs read in several chunks", () => {
  it("a slab that arrived as two chunks is the one still read into: kept while downloading, given back once", async () => {
    const slab = takeSlab();
    const data = randomBytes(18 * MiB);
    data.copy(slab, 0, 0, 100 * KiB);
    const { fill, body, running } = await startFill(data);
    const before = slabCounts().free;
    body.write(slab.subarray(0, 50 * KiB));
    body.write(slab.subarray(50 * KiB, 100 * KiB));
    // Plain buffers after it: the slab stays the last one read into, however far behind the window it falls.
    await feed(fill, body, data.subarray(100 * KiB), MiB, 17 * MiB);
    await until(() => fill.written === 17 * MiB + 100 * KiB, "on disk");
    expect(fill.memoryStart).toBeGreaterThan(100 * KiB);
    expect(slabCounts().free).toBe(before);
    body.end(data.subarray(17 * MiB + 100 * KiB));
    await running;
    expect(fill.state).toBe("verified");
    expect(slabCounts().free).toBe(before + 1);
  });
});

describe("BlobFill paused for readers, then for its destination", () => {
  it("once resumed for its readers, a later pause for the destination is not lifted by readers", async () => {
    const data = randomBytes(20 * MiB);
    let blocked = false;
    let drained: (() => void) | null = null;
    const destination: FillDestination = {
      write: () => !blocked,
      onceDrained: (resume) => (drained = resume),
      complete: async () => {},
      abort: async () => {},
    };
    const { fill } = newFill(digestOf(data), { destination, onDiskFull: async () => 0 });
    await fill.open();
    fill.expectSize(data.length);
    stubWrites(fill, async () => {
      throw diskFull();
    });
    const body = new PassThrough();
    const running = fill.run(body);
    const slow = stalledReader(fill, { start: 0, fileChunk: 64 * KiB });
    await feed(fill, body, data, MiB, 17 * MiB);
    expect(body.isPaused()).toBe(true); // for the stalled reader
    slow.flow();
    await until(() => !body.isPaused(), "resumed for the reader");
    blocked = true;
    await feed(fill, body, data.subarray(17 * MiB), MiB, MiB);
    expect(body.isPaused()).toBe(true); // now for the destination
    body.write(data.subarray(18 * MiB, 19 * MiB));
    const late = await collect(fill, { start: 17 * MiB, end: 17 * MiB + 999, fileChunk: 64 * KiB });
    expect(late.body.equals(data.subarray(17 * MiB, 17 * MiB + 1000))).toBe(true);
    await tick();
    expect(fill.received).toBe(18 * MiB);
    blocked = false;
    drained!();
    await until(() => fill.received === 19 * MiB, "resumed once drained");
    body.end(data.subarray(19 * MiB));
    await running;
    expect((await slow).body.equals(data)).toBe(true);
  });
});

describe("A reader whose client goes away", () => {
  it("stops with that reason and leaves the download and its other readers alone", async () => {
    const data = randomBytes(200 * KiB);
    const { fill, body, running } = await startFill(data);
    const gone = collect(fill, { start: 0, fileChunk: 64 * KiB });
    const staying = collect(fill, { start: 0, fileChunk: 64 * KiB });
    gone.destroy();
    await feed(fill, body, data, 50 * KiB);
    expect((await gone).error?.message).toBe("client went away");
    body.end();
    await running;
    expect(fill.state).toBe("verified");
    expect((await staying).body.equals(data)).toBe(true);
  });
});

describe("BlobFill memory once settled", () => {
  it("a kept blob drops its in-memory window: later readers use the file", async () => {
    const data = randomBytes(200 * KiB);
    const { fill } = newFill(digestOf(data));
    await fill.open();
    fill.expectSize(data.length);
    await fill.run(new PassThrough().end(data));
    expect(fill.entry).not.toBeNull();
    expect(fill.memoryStart).toBe(data.length);
    expect(fill.fromWindow(0, 1)).toBeNull();
  });

  it("an uncached blob keeps in memory what a reader has not taken, even once verified, and drops it as it is taken", async () => {
    const data = randomBytes(300 * KiB);
    const { fill } = newFill(digestOf(data), { onDiskFull: async () => 0 });
    await fill.open();
    fill.expectSize(data.length);
    stubWrites(fill, async () => {
      throw diskFull();
    });
    const body = new PassThrough();
    const running = fill.run(body);
    const stalled = stalledReader(fill, { start: 0, fileChunk: 64 * KiB });
    const other = collect(fill, { start: 0, fileChunk: 64 * KiB });
    await feed(fill, body, data, 100 * KiB);
    body.end();
    await running;
    expect(fill.state).toBe("verified");
    expect((await other).body.equals(data)).toBe(true);
    expect(fill.memoryStart).toBe(0);
    stalled.flow();
    const got = await stalled;
    expect(got.error).toBeNull();
    expect(got.body.equals(data)).toBe(true);
    // Every reader took every byte: nothing is held any more.
    expect(fill.memoryStart).toBe(data.length);
    expect(fill.fromWindow(data.length - 1, 1)).toBeNull();
  });

  it("an uncached blob that fails drops what it held for its readers", async () => {
    const data = randomBytes(300 * KiB);
    const { fill } = newFill(digestOf(data), { onDiskFull: async () => 0 });
    await fill.open();
    fill.expectSize(data.length);
    stubWrites(fill, async () => {
      throw diskFull();
    });
    const body = new PassThrough();
    const running = fill.run(body);
    const stalled = stalledReader(fill, { start: 0, fileChunk: 64 * KiB });
    await feed(fill, body, data, 100 * KiB, 200 * KiB);
    expect(fill.uncached).toBe(true);
    expect(fill.memoryStart).toBe(0);
    body.destroy(new Error("connection reset"));
    await running;
    expect(fill.state).toBe("failed");
    expect(fill.memoryStart).toBe(200 * KiB);
    expect(fill.fromWindow(0, 1)).toBeNull();
    stalled.flow();
    expect((await stalled).error?.message).toBe("connection reset");
  });
});

describe("BlobFill and a hash worker that dies (last here: later hashes in this file would run inline)", () => {
  it("a hash worker that dies while the upstream waits for it ends the download at once", () =>
    withHeldHash(async () => {
      const data = randomBytes(40 * MiB);
      const { fill, body, running } = await startFill(data);
      const reader = collect(fill, { start: 0, fileChunk: 64 * KiB });
      await feed(fill, body, data, MiB, 33 * MiB);
      expect(body.isPaused()).toBe(true);
      hashHold.killWorker();
      body.write(data.subarray(33 * MiB, 34 * MiB)); // what the resumed socket reads next
      await running;
      expect(fill.state).toBe("failed");
      expect(fill.error?.message).toBe("hash worker failed");
      expect((await reader).error).not.toBeNull();
      expect(await tempFiles()).toEqual([]);
    }));
});
