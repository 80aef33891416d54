import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import type { ServerResponse } from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlobFill } from "@/proxy/cache/blob-fill";
import { CacheStore } from "@/proxy/cache/cache-store";
import { sendFromFill } from "@/proxy/cache/fill-sender";
import { socketGet } from "@/lib/upstream/socket-get";
import { slabCounts } from "@/lib/upstream/slab-pool";
import { selfSignedCertificate } from "../helpers/registry";

// Cold downloads read the upstream into reusable slabs (lib/upstream/slab-pool)
// and hand views of them to the cache file and to every joined response. A
// slab may go back to the pool only when nothing can still read it: these
// downloads run side by side (so a released slab is reused at once) with
// responses that copy each write only when it "reaches the client" (late),
// and every byte every response got must still be the blob's. Over TLS the
// records are copied into the slabs (lib/upstream/slab-coalescer): the same holds.

process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = "127.0.0.0/8";

let dir: string;
const servers: net.Server[] = [];
const urls: Record<string, string> = {};
const blobs = [randomBytes(48 * 1024 * 1024), randomBytes(48 * 1024 * 1024), randomBytes(48 * 1024 * 1024), randomBytes(48 * 1024 * 1024)];
// The last download has no readers: its slabs go back to the pool as soon as they are on disk, whatever
// the machine's load, so the others are sure to be handed reused slabs while their slow responses send.
const UNREAD = blobs.length - 1;

beforeAll(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-fill-slabs-"));
  const serve = (socket: net.Socket) => {
    socket.once("data", (d) => {
      const index = Number(/GET \/(\d+)/.exec(d.toString())?.[1]);
      const body = blobs[index]!;
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`);
      socket.end(body);
    });
    socket.on("error", () => {});
  };
  const cert = await selfSignedCertificate(dir, "upstream");
  for (const [scheme, server] of [["http", net.createServer(serve)], ["https", tls.createServer({ key: cert.keyPem, cert: cert.certPem }, serve)]] as const) {
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    urls[scheme] = `${scheme}://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  }
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((r) => server.close(r))));
  await fs.promises.rm(dir, { recursive: true, force: true });
});

/** A response whose writes are read (copied) only when they complete, after `delayMs`. */
function lateResponse(delayMs: () => number) {
  const received: Buffer[] = [];
  // In order, as a socket completes its writes.
  let last = Promise.resolve();
  const res = {
    destroyed: false,
    write(data: Buffer, cb: (err?: Error | null) => void) {
      last = last
        .then(() => new Promise((r) => setTimeout(r, delayMs())))
        .then(() => {
          received.push(Buffer.from(data));
          cb();
        });
      return true;
    },
    once() {
      return res;
    },
    off() {
      return res;
    },
    destroy() {
      res.destroyed = true;
    },
  };
  return { res: res as unknown as ServerResponse, received };
}

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe.each(["http", "https"])("read slabs of cold downloads (%s)", (scheme) => {
  it("are reused only when no response can still be sending them: every joined response gets the exact blob", async () => {
    const store = await CacheStore.open({ root: path.join(dir, scheme), maxBytes: 0 });
    const before = slabCounts();
    const runs = blobs.map(async (blob, index) => {
      const digest = `sha256:${sha(blob)}`;
      const fill = new BlobFill({ store, namespace: "ns", digest, repository: "acme/app" });
      await fill.open();
      const up = await socketGet(`${urls[scheme]}/${index}`, {}, { insecureTls: true });
      fill.expectSize(blob.length);
      const readers = index === UNREAD ? [] : [lateResponse(() => 0), lateResponse(() => 40), lateResponse(() => (Math.random() < 0.1 ? 30 : 1))];
      const sending = readers.map((r) => sendFromFill(fill, r.res, { start: 0, fileChunk: 512 * 1024 }));
      await fill.run(up.body);
      await Promise.all(sending);
      expect(fill.state).toBe("verified");
      for (const r of readers) expect(sha(Buffer.concat(r.received))).toBe(sha(blob));
      expect(sha(await fs.promises.readFile(fill.entry!.path))).toBe(sha(blob));
    });
    await Promise.all(runs);
    // Slabs did come back and were read into again while the slow responses were still sending.
    expect(slabCounts().reused).toBeGreaterThan(before.reused);
  });
});
