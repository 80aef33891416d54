import { createHash } from "node:crypto";
import os from "node:os";
import { Worker } from "node:worker_threads";
import { config } from "@/lib/config";

// Digest verification of downloads off the main thread: sha256 runs at about
// 1.5 GiB/s on one core, which the event loop serving customers would
// otherwise pay for every cold byte. Chunks in shared memory (the read slabs of
// lib/upstream/slab-pool.ts) are hashed by the worker in place, and the caller is
// told when each may be reused; other chunks are copied into batches (≥ 1 MiB) and
// handed over. One worker thread is shared by all downloads; if it cannot start,
// hashing happens inline. It is used whenever there is a second core
// (PULLGATE_HASH_WORKER=1 always, 0 never): on an idle 2-core machine a cold
// 256 MiB pull ran at 411 MiB/s with it and 359 without (median of 6, main
// thread 0.28–0.33 s instead of 0.45–0.54 s per pull). Under heavy load from
// other processes it is no faster, as the copy into batches costs a little CPU
// (proxy/cache/README.md, "Where the time goes"); hashing slabs in place saves
// that copy ("Fourth pass").

export type IncrementalHash = {
  /**
   * Hashes the chunk. Its memory may be reused once update() returns, unless it is
   * shared memory (SharedArrayBuffer: the read slabs of lib/upstream/slab-pool.ts),
   * which the worker hashes in place: such a chunk must stay untouched until `hashed`
   * has passed it.
   */
  update(chunk: Buffer): void;
  /**
   * Bytes passed to update() that have been hashed, in order: the rest is work (and, for
   * shared chunks, memory) the hash still holds, which a download bounds by pausing.
   */
  readonly hashed: number;
  /** The worker died: nothing more is hashed, and digest() fails. */
  readonly failed: boolean;
  /** Hex digest of everything passed to update(). */
  digest(): Promise<string>;
  /** Gives up (the download failed). */
  abort(): void;
};

const BATCH_BYTES = 1024 * 1024;

// Plain JavaScript, evaluated by the worker: no TypeScript loader needed there.
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const jobs = new Map();
parentPort.on("message", (m) => {
  if (m.type === "start") jobs.set(m.id, createHash(m.algorithm));
  else if (m.type === "shared") {
    jobs.get(m.id)?.update(new Uint8Array(m.memory, m.offset, m.length));
    parentPort.postMessage({ hashed: m.id, length: m.length });
  } else if (m.type === "data") {
    jobs.get(m.id)?.update(new Uint8Array(m.data, 0, m.length));
    parentPort.postMessage({ batch: m.data, hashed: m.id, length: m.length }, [m.data]);
  }
  else if (m.type === "end") {
    const hash = jobs.get(m.id);
    jobs.delete(m.id);
    parentPort.postMessage({ id: m.id, hex: hash ? hash.digest("hex") : null });
  } else if (m.type === "abort") jobs.delete(m.id);
});
`;

let worker: Worker | null | undefined;
let nextId = 0;
const waiting = new Map<number, (hex: string | null) => void>();
/** Hashes in progress in the worker: told how many more of their bytes it has hashed (null: it died). */
const progress = new Map<number, (length: number | null) => void>();
// Batch memory comes back from the worker once hashed and is used again: fresh
// memory for every MiB hashed costs page faults (measured on this VM: copying
// into new 1 MiB batches took 215 ms per 256 MiB, into reused ones ~12 ms).
const MAX_FREE_BATCHES = 8;
const freeBatches: ArrayBuffer[] = [];
const batchCounts = { allocated: 0, reused: 0 };

/** Batch buffers allocated and reused so far (tests). */
export function hashBatchCounts(): { allocated: number; reused: number } {
  return { ...batchCounts };
}

function workerWanted(): boolean {
  const setting = config.hashWorker;
  return setting ? setting === "1" : os.availableParallelism() >= 2;
}

function sharedWorker(): Worker | null {
  if (worker !== undefined) return worker;
  worker = null; // decided once: without a worker (not wanted, or it cannot start), hashing is inline
  if (!workerWanted()) return null;
  try {
    const started = new Worker(WORKER_SOURCE, { eval: true });
    started.unref();
    started.on("message", (m: { id: number; hex: string | null } | { batch?: ArrayBuffer; hashed: number; length: number }) => {
      if ("hashed" in m) {
        if (m.batch && freeBatches.length < MAX_FREE_BATCHES) freeBatches.push(m.batch);
        progress.get(m.hashed)?.(m.length);
        return;
      }
      // Stryker disable next-line OptionalChaining: the worker answers only an "end" whose digest() registered first; the guard only keeps a stray message from crashing the process
      waiting.get(m.id)?.(m.hex);
      waiting.delete(m.id);
    });
    started.on("error", () => {
      worker = null;
      // Hashes in progress learn it first (a download may be paused waiting for the digest);
      // shared chunks it had not hashed are never reported hashed: their slabs are left to the GC.
      for (const told of progress.values()) told(null);
      progress.clear();
      // Pending digests fail (their downloads are discarded); new ones hash inline.
      for (const resolve of waiting.values()) resolve(null);
      waiting.clear();
    });
    worker = started;
  } catch {
    // No thread can be started here: hash inline.
  }
  return worker;
}

/**
 * onHashed: called when `hashed` advances after update() returned (the worker caught up),
 * so the caller can reuse shared memory or resume a download it paused.
 */
export function createIncrementalHash(algorithm: string, onHashed: () => void = () => {}): IncrementalHash {
  const w = sharedWorker();
  if (!w) {
    const hash = createHash(algorithm);
    let hashed = 0;
    return {
      update: (chunk) => {
        hash.update(chunk);
        hashed += chunk.length;
      },
      get hashed() {
        return hashed;
      },
      failed: false,
      digest: async () => hash.digest("hex"),
      abort: () => {},
    };
  }
  // Stryker disable next-line UpdateOperator: counting down gives ids just as unique
  const id = ++nextId;
  w.postMessage({ type: "start", id, algorithm });
  // Chunks are copied in at once (one copy, as the concatenation was): the caller may reuse
  // a chunk's memory as soon as update() returns (socket-get's slabs are).
  let batch: Buffer | null = null;
  let batched = 0;
  let ended = false;
  let hashed = 0;
  let failed = false;
  progress.set(id, (length) => {
    if (length === null) failed = true;
    else hashed += length;
    onHashed();
  });
  const send = () => {
    if (!batch) return; // allocated only to take bytes: never empty
    // Exclusively owned (allocUnsafeSlow, or returned by the worker): transferred, not copied.
    const owned = batch.buffer as ArrayBuffer;
    // Stryker disable next-line ArrayDeclaration: without the transfer list the batch is copied instead of moved: the same bytes, only slower
    w.postMessage({ type: "data", id, data: owned, length: batched }, [owned]);
    batch = null;
    batched = 0;
  };
  return {
    update(chunk) {
      if (ended) throw new Error("hash already finished");
      if (chunk.buffer instanceof SharedArrayBuffer) {
        // No copy: the worker reads the read slab itself (after any batch before it, in order).
        send();
        w.postMessage({ type: "shared", id, memory: chunk.buffer, offset: chunk.byteOffset, length: chunk.length });
        return;
      }
      let from = 0;
      while (from < chunk.length) {
        if (!batch) {
          const reused = freeBatches.pop();
          batchCounts[reused ? "reused" : "allocated"]++;
          batch = reused ? Buffer.from(reused) : Buffer.allocUnsafeSlow(BATCH_BYTES);
        }
        const n = chunk.copy(batch, batched, from);
        from += n;
        batched += n;
        if (batched >= BATCH_BYTES) send();
      }
    },
    get hashed() {
      return hashed;
    },
    get failed() {
      return failed;
    },
    digest() {
      ended = true;
      // The worker died after this hash started: its state is gone, and a message to it is never answered.
      if (worker !== w) return Promise.reject(new Error("hash worker failed"));
      send();
      return new Promise<string>((resolve, reject) => {
        waiting.set(id, (hex) => {
          progress.delete(id); // answered after every chunk before the end
          if (hex) resolve(hex);
          else reject(new Error("hash worker failed"));
        });
        w.postMessage({ type: "end", id });
      });
    },
    abort() {
      // After the end too: the worker has already forgotten the job, so the message changes nothing.
      ended = true;
      batch = null;
      batched = 0;
      progress.delete(id);
      w.postMessage({ type: "abort", id });
    },
  };
}
