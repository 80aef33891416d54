import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ServerResponse } from "node:http";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlobFill, isDiskFull, type FillOptions } from "./blob-fill";
import { CacheStore } from "./cache-store";
import { sendFromFill, type FillRange } from "./fill-sender";

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
function collect(fill: BlobFill, range: Omit<FillRange, "onBytes">): Promise<Collected> & { received: () => number; destroy: () => void } {
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
  return Object.assign(done, { received: () => received, destroy: () => res.destroy() });
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
    const { fill } = newFill(digestOf(data));
    await fill.open();
    fill.expectSize(data.length);
    const body = new PassThrough();
    const running = fill.run(body);
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
    const fh = (fill as unknown as { fh: fs.promises.FileHandle }).fh;
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
    const fh = (fill as unknown as { fh: fs.promises.FileHandle }).fh;
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
