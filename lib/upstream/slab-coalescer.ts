import { copyBytes, SLAB_BYTES, slabStartFor, takeSlab } from "./slab-pool";

// The body of a blob GET over TLS arrives one decrypted record (at most 16 KiB)
// at a time. Handed on like that, every record cost the download a turn of its
// own (the hash, the disk queue, the window, a write to each client): a cold
// 256 MiB pull over TLS took 1.1–1.35 CPU s in the proxy against 0.45 over
// plain HTTP (proxy/cache/README.md, "Sixth pass"). Copied into read slabs
// instead, the records are handed on as one view per event-loop turn (or per
// FLUSH_BYTES): the same large chunks a plain connection's reads give, in slabs,
// so the hash worker reads them in place and the cache file's direct writes
// take their whole blocks, at the cost of one memcpy per byte.

/** A view is handed on once this much is waiting, without waiting for the turn to end. */
const FLUSH_BYTES = 1024 * 1024;

export class SlabCoalescer {
  private slab: Buffer | null = null;
  /** The first byte of the slab not handed on yet. */
  private from = 0;
  /** Where the next byte copied in goes. */
  private to = 0;
  private turn: NodeJS.Immediate | null = null;

  /** `handOn` receives views of slabs, in order; they are never written to again. */
  constructor(private readonly handOn: (view: Buffer) => void) {}

  /** `chunk` holds the body from `bodyOffset` on; its memory may be reused once this returns. */
  add(chunk: Buffer, bodyOffset: number): void {
    let copied = 0;
    while (copied < chunk.length) {
      if (!this.slab || this.to === SLAB_BYTES) {
        this.flush();
        this.slab = takeSlab();
        this.from = this.to = slabStartFor(bodyOffset + copied);
      }
      const n = copyBytes(chunk, this.slab, this.to, copied, chunk.length);
      this.to += n;
      copied += n;
    }
    if (this.to - this.from >= FLUSH_BYTES) this.flush();
    else this.turn ??= setImmediate(() => this.flush());
  }

  /** Hands on what was copied in and not handed on yet (also the end of the body: call it before). */
  flush(): void {
    if (this.turn) clearImmediate(this.turn);
    this.turn = null;
    if (!this.slab || this.to === this.from) return;
    const view = this.slab.subarray(this.from, this.to);
    this.from = this.to;
    this.handOn(view);
  }

  /** Drops what was not handed on (the body failed or was discarded). */
  discard(): void {
    if (this.turn) clearImmediate(this.turn);
    this.turn = null;
    this.slab = null;
  }
}
