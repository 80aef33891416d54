import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SlabCoalescer } from "./slab-coalescer";
import { isSlab, SLAB_BYTES } from "./slab-pool";

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A coalescer whose views are kept with a copy of their bytes when handed on. */
function recording() {
  const views: { view: Buffer; copy: Buffer }[] = [];
  const coalescer = new SlabCoalescer((view) => views.push({ view, copy: Buffer.from(view) }));
  return { coalescer, views };
}

describe("SlabCoalescer", () => {
  it("hands on the records of one turn as one slab view, after the turn", async () => {
    const { coalescer, views } = recording();
    const records = [randomBytes(16_384), randomBytes(100), randomBytes(16_384)];
    let offset = 0;
    for (const record of records) {
      coalescer.add(record, offset);
      offset += record.length;
      record.fill(0); // the read buffer is reused at once: the bytes were taken
    }
    expect(views).toHaveLength(0);
    await turn();
    expect(views).toHaveLength(1);
    expect(isSlab(views[0]!.view.buffer)).toBe(true);
    expect(views[0]!.view.length).toBe(16_384 * 2 + 100);
    expect(views[0]!.view.equals(views[0]!.copy)).toBe(true);
  });

  it("hands on at once when a MiB waits, and never writes into a view it handed on", async () => {
    const { coalescer, views } = recording();
    const body = randomBytes(3 * 1024 * 1024);
    for (let at = 0; at < body.length; at += 16_384) coalescer.add(body.subarray(at, at + 16_384), at);
    // Handed on without waiting for the turn's end: three MiB, three views (at least).
    expect(views.length).toBeGreaterThanOrEqual(3);
    coalescer.flush();
    expect(Buffer.concat(views.map((v) => v.view)).equals(body)).toBe(true);
    for (const { view, copy } of views) expect(view.equals(copy)).toBe(true);
  });

  it("splits at a slab's end, and places each new slab's bytes at their offset's place in a 4 KiB block", () => {
    const { coalescer, views } = recording();
    const body = randomBytes(2 * SLAB_BYTES + 5_000);
    const start = 12_345; // the body offset of the first byte given
    for (let at = 0; at < body.length; at += 10_000) coalescer.add(body.subarray(at, at + 10_000), start + at);
    coalescer.flush();
    expect(Buffer.concat(views.map((v) => v.view)).equals(body)).toBe(true);
    const slabs = new Set(views.map((v) => v.view.buffer));
    expect(slabs.size).toBe(3);
    let at = start;
    for (const { view } of views) {
      expect(isSlab(view.buffer)).toBe(true);
      expect(view.byteOffset % 4096).toBe(at % 4096);
      at += view.length;
    }
  });

  it("drops what it holds when discarded: nothing is handed on after", async () => {
    const { coalescer, views } = recording();
    coalescer.add(randomBytes(1000), 0);
    coalescer.discard();
    await turn();
    coalescer.flush();
    expect(views).toHaveLength(0);
  });
});
