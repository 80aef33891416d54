// Large read buffers for upstream blob bodies (socket-get.ts), reused once
// every view into them is gone: a cold blob then costs no fresh memory per
// byte (no page faults, no external-memory growth driving full GCs). Only
// the owner of the views (proxy/cache/blob-fill.ts) knows when that is and
// gives a slab back; a slab it cannot vouch for is left to the GC instead.
// The free list is bounded, so an idle proxy keeps at most MAX_FREE slabs.
// Slabs are shared memory (SharedArrayBuffer) so that the hash worker
// (proxy/cache/hash-worker.ts) reads the bytes where they landed instead of
// a copy of them, and page-aligned (a shared WebAssembly memory: Node has no
// aligned allocation) so that the cache file's direct writes
// (proxy/cache/direct-writer.ts) take whole blocks straight from them. V8
// reserves ~10 GiB of address space (not memory) for each WebAssembly memory:
// about 13,000 fit in a 64-bit process (measured), far more than the slabs
// the proxy's memory bounds let live; past that a slab is plain shared memory.

export const SLAB_BYTES = 2 * 1024 * 1024;
/** A page, and a multiple of any disk block: the unit a blob's bytes are placed by in a slab. */
const PLACEMENT_BYTES = 4096;
const WASM_PAGE = 64 * 1024;
const MAX_FREE = 12;

const free: SharedArrayBuffer[] = [];
const fromPool = new WeakSet<ArrayBufferLike>();
const aligned = new WeakSet<ArrayBufferLike>();
const counts = { allocated: 0, reused: 0 };

export function takeSlab(): Buffer {
  const reused = free.pop();
  if (reused) {
    counts.reused++;
    return Buffer.from(reused);
  }
  counts.allocated++;
  let memory: SharedArrayBuffer;
  try {
    const pages = SLAB_BYTES / WASM_PAGE;
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }).buffer as unknown as SharedArrayBuffer;
    aligned.add(memory);
  } catch {
    // No address space left for another WebAssembly memory (~13,000 of them fit in 128 TiB, or a
    // ulimit -v is set): a plain one, whose bytes the direct writes copy instead.
    memory = new SharedArrayBuffer(SLAB_BYTES);
  }
  fromPool.add(memory);
  return Buffer.from(memory);
}

/**
 * Where in a fresh slab the blob's byte at `blobOffset` goes: at its offset's place within a
 * block, so the blob's whole blocks lie at block-aligned addresses and the cache file's direct
 * writes (proxy/cache/direct-writer.ts) take them in place.
 */
export function slabStartFor(blobOffset: number): number {
  return blobOffset % PLACEMENT_BYTES;
}

/** True for the memory of a pool slab (a chunk's `.buffer`): shared. */
export function isSlab(memory: ArrayBufferLike): boolean {
  return fromPool.has(memory);
}

/** True for a slab that is page-aligned (almost all of them: see takeSlab). */
export function isAlignedSlab(memory: ArrayBufferLike): boolean {
  return aligned.has(memory);
}

/** Back to the pool: the caller guarantees no view of it is still read or written anywhere. */
export function giveSlab(memory: ArrayBufferLike): void {
  if (!fromPool.has(memory) || free.length >= MAX_FREE || free.includes(memory as SharedArrayBuffer)) return;
  free.push(memory as SharedArrayBuffer);
}

/**
 * Copies source[sourceStart, sourceEnd) into target at targetStart; returns the bytes copied
 * (as Buffer#copy does: no more than both have room for). V8 copies out of or into shared
 * memory with relaxed atomics, word by word, and byte by byte when source and target are not
 * equally aligned: a slab's bytes copied out at any offset took 4× as long as plain memory's
 * (155 vs 36 ms per 256 MiB; proxy/cache/README.md, "Fifth pass"), 16 KiB pieces copied into a
 * slab 10× (200 vs 11–19 ms per 256 MiB, "Sixth pass"). Buffer#fill with a view exactly as
 * long as the range copies it with one memcpy.
 */
export function copyBytes(source: Buffer, target: Buffer, targetStart: number, sourceStart: number, sourceEnd: number): number {
  const length = Math.min(Math.min(sourceEnd, source.length) - sourceStart, target.length - targetStart);
  if (length <= 0) return 0;
  if (!(source.buffer instanceof SharedArrayBuffer) && !(target.buffer instanceof SharedArrayBuffer)) {
    return source.copy(target, targetStart, sourceStart, sourceStart + length);
  }
  target.fill(source.subarray(sourceStart, sourceStart + length), targetStart, targetStart + length);
  return length;
}

/** Slabs allocated and reused so far, and waiting for reuse now (tests, metrics). */
export function slabCounts(): { allocated: number; reused: number; free: number } {
  return { ...counts, free: free.length };
}
