import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { Http1ResponseReader, type ResponseHead } from "@/lib/upstream/http1-response";
import { blobConnectionCounts, closeIdleBlobConnections, idleBlobConnections, socketGet, type SocketGetResponse } from "@/lib/upstream/socket-get";
import { idleTimeFor, IDLE_MS } from "@/lib/upstream/idle-connections";
import { isSlab } from "@/lib/upstream/slab-pool";
import { until } from "../helpers/pullgate-start";
import { selfSignedCertificate } from "../helpers/registry";

// The blob transport: GETs on outbound-policy sockets kept alive per origin,
// the HTTP/1.1 response read by hand. Served by raw TCP servers so every
// framing (and every malformed answer) is exactly what the test wrote.

process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = "127.0.0.0/8";

const servers: net.Server[] = [];
afterEach(async () => {
  closeIdleBlobConnections();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A server that reads one request head, records it and answers with `respond`. */
async function rawServer(respond: (socket: net.Socket, request: string) => void): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = net.createServer((socket) => {
    let head = "";
    socket.on("data", (d) => {
      head += d.toString("latin1");
      if (head.includes("\r\n\r\n")) {
        requests.push(head);
        respond(socket, head);
      }
    });
    socket.on("error", () => {});
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, requests };
}

/** Reads the whole body through the same events BlobFill uses. */
function collect(res: SocketGetResponse): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.body.on("data", (c: Buffer) => chunks.push(Buffer.from(c)));
    res.body.once("end", () => resolve(Buffer.concat(chunks)));
    res.body.once("error", reject);
    res.body.once("close", () => {
      if (!res.body.readableEnded) reject(new Error("closed before the end"));
    });
  });
}

/** Writes `data` in pieces of `size` bytes, pausing between them, then ends (or not). */
async function writeInPieces(socket: net.Socket, data: Buffer, size: number, end = true): Promise<void> {
  for (let i = 0; i < data.length; i += size) {
    socket.write(data.subarray(i, i + size));
    await new Promise((r) => setImmediate(r));
  }
  if (end) socket.end();
}

describe("socketGet", () => {
  it("reads a Content-Length body whole and sends the given headers, asking for no Connection: close", async () => {
    const body = randomBytes(3 * 1024 * 1024 + 17);
    const { url, requests } = await rawServer((s) => {
      s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nDocker-Content-Digest: sha256:x\r\n\r\n`);
      s.end(body);
    });
    const res = await socketGet(`${url}/v2/a/blobs/sha256:x?y=1`, { authorization: "Bearer t", "user-agent": "pullgate/0.1" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["docker-content-digest"]).toBe("sha256:x");
    expect((await collect(res)).equals(body)).toBe(true);
    expect(requests[0]).toMatch(/^GET \/v2\/a\/blobs\/sha256:x\?y=1 HTTP\/1\.1\r\n/);
    expect(requests[0]).toContain("authorization: Bearer t\r\n");
    expect(requests[0]).not.toMatch(/connection:/i);
  });

  it("puts body bytes in read slabs at their offset's place in a 4 KiB block once the head is read (the cache's direct writes take them in place)", async () => {
    const body = randomBytes(9 * 1024 * 1024 + 17);
    const { url } = await rawServer((s) => {
      s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nX-Odd: ${"y".repeat(37)}\r\n\r\n`);
      void writeInPieces(s, body, 100_003);
    });
    const res = await socketGet(`${url}/v2/a/blobs/sha256:x`, {});
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      res.body.on("data", (c: Buffer) => chunks.push(c)); // the views themselves
      res.body.once("end", () => resolve());
      res.body.once("error", reject);
    });
    expect(Buffer.concat(chunks).equals(body)).toBe(true);
    const slabs: { memory: ArrayBufferLike; placed: boolean }[] = [];
    let at = 0;
    for (const chunk of chunks) {
      // The first read of a GET may land in the buffer idle connections share: copied out of it.
      if (!isSlab(chunk.buffer)) {
        expect(slabs).toHaveLength(0);
        at += chunk.length;
        continue;
      }
      if (slabs[slabs.length - 1]?.memory !== chunk.buffer) slabs.push({ memory: chunk.buffer, placed: chunk.byteOffset % 4096 === at % 4096 });
      // Within a slab, reads follow each other: a slab in place stays in place.
      else expect(chunk.byteOffset % 4096 === at % 4096).toBe(slabs[slabs.length - 1]!.placed);
      at += chunk.length;
    }
    expect(slabs.length).toBeGreaterThan(3);
    // The first slab was taken before the head was read; every later one starts in place.
    expect(slabs.slice(1).every((slab) => slab.placed)).toBe(true);
  });

  it("decodes a chunked body split at every awkward place, ignoring extensions and trailers", async () => {
    const parts = [randomBytes(1), randomBytes(70_000), randomBytes(5), randomBytes(300_000)];
    const wire = Buffer.concat([
      Buffer.from("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
      ...parts.flatMap((p, i) => [Buffer.from(`${p.length.toString(16)}${i === 1 ? ";ext=1" : ""}\r\n`), p, Buffer.from("\r\n")]),
      Buffer.from("0\r\nX-Trailer: 1\r\n\r\n"),
    ]);
    const { url } = await rawServer((s) => void writeInPieces(s, wire, 7, false).then(() => setTimeout(() => s.end(), 50)));
    const res = await socketGet(`${url}/blob`, {});
    expect((await collect(res)).equals(Buffer.concat(parts))).toBe(true);
  });

  it("reads a body framed by the end of the connection", async () => {
    const body = randomBytes(200_000);
    const { url } = await rawServer((s) => {
      s.write("HTTP/1.1 200 OK\r\n\r\n");
      s.end(body);
    });
    expect((await collect(await socketGet(`${url}/b`, {}))).equals(body)).toBe(true);
  });

  it("fails the body when the upstream closes before Content-Length bytes", async () => {
    const { url } = await rawServer((s) => {
      s.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
      s.end(randomBytes(999));
    });
    await expect(collect(await socketGet(`${url}/b`, {}))).rejects.toThrow(/before the end/);
  });

  it("fails a chunked body cut off mid-chunk, and one with a bad chunk size", async () => {
    const cut = await rawServer((s) => {
      s.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc");
      s.end();
    });
    await expect(collect(await socketGet(`${cut.url}/b`, {}))).rejects.toThrow();
    const bad = await rawServer((s) => s.end("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"));
    await expect(collect(await socketGet(`${bad.url}/b`, {}))).rejects.toThrow(/chunk size/);
  });

  it("refuses oversized headers, a non-HTTP answer and more bytes than announced", async () => {
    const huge = await rawServer((s) => s.end(`HTTP/1.1 200 OK\r\nX-Big: ${"a".repeat(70_000)}\r\n\r\n`));
    await expect(socketGet(`${huge.url}/b`, {})).rejects.toThrow(/too large/);
    const junk = await rawServer((s) => s.end("SSH-2.0-OpenSSH\r\n\r\n"));
    await expect(socketGet(`${junk.url}/b`, {})).rejects.toThrow(/status line/);
    const extra = await rawServer((s) => s.end("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef"));
    await expect(collect(await socketGet(`${extra.url}/b`, {}))).rejects.toThrow(/more bytes/);
  });

  it("reports repeated headers as a list and answers a 401 without a body wait", async () => {
    const { url } = await rawServer((s) => {
      s.write('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="a"\r\nWWW-Authenticate: Bearer realm="b"\r\nContent-Length: 5\r\n\r\n');
      // The connection stays open: dump() must not wait for it.
      s.write("nope!");
    });
    const res = await socketGet(`${url}/b`, {});
    expect(res.statusCode).toBe(401);
    expect(res.headers["www-authenticate"]).toEqual(['Basic realm="a"', 'Bearer realm="b"']);
    await res.body.dump();
  });

  it("refuses header values that would smuggle a second request", async () => {
    const { url, requests } = await rawServer((s) => s.end("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
    await expect(socketGet(`${url}/b`, { "x-a": "1\r\nGET /evil HTTP/1.1" })).rejects.toThrow(/invalid request header/);
    expect(requests).toHaveLength(0);
  });

  it("passes backpressure to the upstream: a paused body stops reading, resuming delivers the rest in order", async () => {
    const body = randomBytes(16 * 1024 * 1024);
    const { url } = await rawServer((s) => {
      s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`);
      s.end(body);
    });
    const res = await socketGet(`${url}/b`, {});
    const hash = createHash("sha256");
    let received = 0;
    let whilePaused = 0;
    let paused = false;
    await new Promise<void>((resolve, reject) => {
      res.body.on("data", (c: Buffer) => {
        if (paused) whilePaused++;
        hash.update(c);
        received += c.length;
        if (received > 1024 * 1024 && received < 2 * 1024 * 1024 + 1 && !paused) {
          paused = true;
          res.body.pause();
          setTimeout(() => {
            paused = false;
            res.body.resume();
          }, 200);
        }
      });
      res.body.once("end", () => resolve());
      res.body.once("error", reject);
    });
    expect(whilePaused).toBe(0);
    expect(received).toBe(body.length);
    expect(hash.digest("hex")).toBe(createHash("sha256").update(body).digest("hex"));
  });

  it("aborts on the signal, before and during the body", async () => {
    const { url } = await rawServer((s) => s.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc"));
    const early = new AbortController();
    early.abort();
    await expect(socketGet(`${url}/b`, {}, { signal: early.signal })).rejects.toThrow(/aborted/);
    const late = new AbortController();
    const res = await socketGet(`${url}/b`, {}, { signal: late.signal });
    const done = collect(res);
    late.abort();
    await expect(done).rejects.toThrow();
  });

  it("times out an upstream that stops sending", async () => {
    const { url } = await rawServer((s) => s.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc"));
    const res = await socketGet(`${url}/b`, {}, { bodyIdleTimeoutMs: 200 });
    await expect(collect(res)).rejects.toThrow(/stopped sending/);
  });

  it("connects through the outbound policy: a private address is refused unless allowed", async () => {
    const { url, requests } = await rawServer((s) => s.end("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
    const saved = process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS;
    process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = "";
    try {
      await expect(socketGet(`${url}/b`, {})).rejects.toMatchObject({ code: "ERR_PULLGATE_OUTBOUND_REFUSED" });
      expect(requests).toHaveLength(0);
    } finally {
      process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = saved;
    }
  });
});

describe("Http1ResponseReader", () => {
  it("gives the same head and body whatever the read boundaries", () => {
    const wire = Buffer.from("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 11\r\nA: 1\r\n\r\nhello world");
    for (let size = 1; size <= wire.length; size++) {
      let head: ResponseHead | null = null;
      const body: Buffer[] = [];
      let ended = false;
      const reader = new Http1ResponseReader({ onHead: (h) => (head = h), onBody: (c) => body.push(Buffer.from(c)), onEnd: () => (ended = true) });
      for (let i = 0; i < wire.length; i += size) reader.feed(wire.subarray(i, i + size));
      expect(head).toEqual({ statusCode: 200, headers: { "content-length": "11", a: "1" } });
      expect(Buffer.concat(body).toString()).toBe("hello world");
      expect(ended).toBe(true);
    }
  });

  it("keeps nothing of a fed buffer: a head read piece by piece into one reused buffer comes out whole", () => {
    const wire = Buffer.from("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 11\r\nA: 1\r\n\r\nhello world");
    for (const size of [1, 7, 30]) {
      let head: ResponseHead | null = null;
      const body: Buffer[] = [];
      const reader = new Http1ResponseReader({ onHead: (h) => (head = h), onBody: (c) => body.push(Buffer.from(c)), onEnd: () => {} });
      const readBuffer = Buffer.alloc(size);
      for (let i = 0; i < wire.length; i += size) {
        const n = wire.copy(readBuffer, 0, i, i + size);
        reader.feed(readBuffer.subarray(0, n));
        readBuffer.fill(0x7a); // the next read lands here
      }
      expect(head).toEqual({ statusCode: 200, headers: { "content-length": "11", a: "1" } });
      expect(Buffer.concat(body).toString()).toBe("hello world");
    }
  });

  it("refuses a head over 64 KiB however it is split, and takes one just under", () => {
    const head = (pad: number) => Buffer.from(`HTTP/1.1 200 OK\r\nX-Pad: ${"a".repeat(pad)}\r\nContent-Length: 0\r\n\r\n`);
    const feedIn = (wire: Buffer, size: number) => {
      let got: ResponseHead | null = null;
      const reader = new Http1ResponseReader({ onHead: (h) => (got = h), onBody: () => {}, onEnd: () => {} });
      for (let i = 0; i < wire.length; i += size) reader.feed(wire.subarray(i, i + size));
      return got;
    };
    for (const size of [1_000, 70_000]) {
      expect(feedIn(head(65_000), size)).toMatchObject({ statusCode: 200 });
      expect(() => feedIn(head(66_000), size)).toThrow(/too large/);
    }
  });

  it("refuses conflicting Content-Length values and unknown transfer codings", () => {
    const reader = () => new Http1ResponseReader({ onHead: () => {}, onBody: () => {}, onEnd: () => {} });
    expect(() => reader().feed(Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n"))).toThrow(/Content-Length/);
    expect(() => reader().feed(Buffer.from("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"))).toThrow(/transfer coding/);
  });
});

/**
 * A server that answers every request on a connection with `respond(socket, request, n)` (n: the
 * request's number on that connection, from 0); counts connections and the requests each carried.
 */
async function keepAliveServer(respond: (socket: net.Socket, request: string, n: number) => void) {
  const perConnection: string[][] = [];
  const closed = { count: 0 };
  const server = net.createServer((socket) => {
    const requests: string[] = [];
    perConnection.push(requests);
    let buffered = "";
    socket.on("data", (d) => {
      buffered += d.toString("latin1");
      let end: number;
      while ((end = buffered.indexOf("\r\n\r\n")) >= 0) {
        const request = buffered.slice(0, end + 4);
        buffered = buffered.slice(end + 4);
        requests.push(request);
        respond(socket, request, requests.length - 1);
      }
    });
    socket.on("close", () => closed.count++);
    socket.on("error", () => {});
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}`, perConnection, closed };
}

const answer = (body: Buffer | string, extra = "") =>
  Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n`), Buffer.from(body)]);

/** A TLS server (self-signed) that answers each request head with `respond`. */
async function tlsServer(respond: (socket: tls.TLSSocket) => void): Promise<{ url: string; done: () => Promise<void> }> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-socket-get-"));
  const cert = await selfSignedCertificate(dir, "upstream");
  const server = tls.createServer({ key: cert.keyPem, cert: cert.certPem }, (socket) => {
    let head = "";
    socket.on("data", (d) => {
      head += d.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      head = "";
      respond(socket);
    });
    socket.on("error", () => {});
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`, done: () => fs.promises.rm(dir, { recursive: true, force: true }) };
}

describe("socketGet over TLS", () => {
  it("gathers the records into slab views far larger than a record, placed in their 4 KiB blocks, with a head that spans reads", async () => {
    const body = randomBytes(5 * 1024 * 1024 + 17);
    const head = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nDocker-Content-Digest: sha256:x\r\n\r\n`);
    const server = await tlsServer((s) => {
      // The head in two records, read apart: the first one's bytes must outlive its read.
      s.write(head.subarray(0, 20));
      setTimeout(() => {
        s.write(head.subarray(20));
        s.write(body); // in records of 16 KiB, many to a read
      }, 50);
    });
    const chunks: Buffer[] = [];
    const before = blobConnectionCounts();
    for (let i = 0; i < 2; i++) {
      const res = await socketGet(`${server.url}/v2/a/blobs/sha256:x`, {}, { insecureTls: true });
      expect(res.headers["docker-content-digest"]).toBe("sha256:x");
      chunks.length = 0;
      await new Promise<void>((resolve, reject) => {
        res.body.on("data", (c: Buffer) => chunks.push(c));
        res.body.once("end", () => resolve());
        res.body.once("error", reject);
      });
      expect(createHash("sha256").update(Buffer.concat(chunks)).digest("hex")).toBe(createHash("sha256").update(body).digest("hex"));
    }
    // The second GET took the kept connection.
    expect(idleBlobConnections()).toBe(1);
    expect(blobConnectionCounts().new - before.new).toBe(1);
    expect(blobConnectionCounts().reused - before.reused).toBe(1);
    let at = 0;
    for (const chunk of chunks) {
      expect(isSlab(chunk.buffer)).toBe(true);
      expect(chunk.byteOffset % 4096).toBe(at % 4096);
      at += chunk.length;
    }
    expect(chunks.length).toBeLessThan(body.length / 16_384 / 8);
    await server.done();
  });

  it("reads a body framed by the end of the connection", async () => {
    const body = randomBytes(300_000);
    const server = await tlsServer((s) => {
      s.write("HTTP/1.1 200 OK\r\n\r\n");
      s.end(body);
    });
    expect((await collect(await socketGet(`${server.url}/b`, {}, { insecureTls: true }))).equals(body)).toBe(true);
    expect(idleBlobConnections()).toBe(0);
    await server.done();
  });

  it("decodes a chunked body whose framing is split across records", async () => {
    const parts = [randomBytes(1), randomBytes(20_000), randomBytes(5), randomBytes(30_000)];
    const wire = Buffer.concat([
      Buffer.from("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
      ...parts.flatMap((p) => [Buffer.from(`${p.length.toString(16)}\r\n`), p, Buffer.from("\r\n")]),
      Buffer.from("0\r\n\r\n"),
    ]);
    const server = await tlsServer((s) => void writeInPieces(s, wire, 997, false));
    const res = await socketGet(`${server.url}/blob`, {}, { insecureTls: true });
    expect((await collect(res)).equals(Buffer.concat(parts))).toBe(true);
    await server.done();
  });
});

describe("socketGet keep-alive", () => {
  it("sends the next GET to the same origin on the connection of the last one, read to its end", async () => {
    const bodies = [randomBytes(3 * 1024 * 1024), randomBytes(1000), randomBytes(5)];
    const server = await keepAliveServer((s, request) => s.write(answer(bodies[Number(/GET \/(\d)/.exec(request)![1])]!)));
    const before = blobConnectionCounts();
    for (let i = 0; i < bodies.length; i++) {
      expect((await collect(await socketGet(`${server.url}/${i}`, {}))).equals(bodies[i]!)).toBe(true);
    }
    expect(server.perConnection.map((r) => r.length)).toEqual([3]);
    expect(idleBlobConnections(server.origin)).toBe(1);
    const after = blobConnectionCounts();
    expect({ new: after.new - before.new, reused: after.reused - before.reused }).toEqual({ new: 1, reused: 2 });
  });

  it("keeps views of a finished body intact while its connection carries the next GETs", async () => {
    const bodies = [randomBytes(2 * 1024 * 1024 + 3), randomBytes(700_000), randomBytes(300)];
    const server = await keepAliveServer((s, _request, n) => s.write(answer(bodies[n]!)));
    const views: Buffer[][] = [];
    for (let i = 0; i < bodies.length; i++) {
      const res = await socketGet(`${server.url}/${i}`, {});
      const chunks: Buffer[] = [];
      views.push(chunks);
      await new Promise<void>((resolve, reject) => {
        res.body.on("data", (c: Buffer) => chunks.push(c)); // the views themselves, as the cache keeps them
        res.body.once("end", () => resolve());
        res.body.once("error", reject);
      });
    }
    expect(server.perConnection).toHaveLength(1);
    for (let i = 0; i < bodies.length; i++) expect(Buffer.concat(views[i]!).equals(bodies[i]!)).toBe(true);
  });

  it("does not keep a connection the server closes, one framed by its end, an HTTP/1.0 one, or one with a body left unread", async () => {
    const cases = [
      (s: net.Socket) => s.write(answer("abc", "Connection: close\r\n")),
      (s: net.Socket) => s.end("HTTP/1.1 200 OK\r\n\r\nabc"),
      (s: net.Socket) => s.write("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc"),
      // Bytes after the end of a chunked answer, in the same read: nobody asked for them.
      (s: net.Socket) => s.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nxyz"),
    ];
    for (const respond of cases) {
      const server = await keepAliveServer((s) => respond(s));
      for (let i = 0; i < 2; i++) expect((await collect(await socketGet(`${server.url}/b`, {}))).toString()).toBe("abc");
      expect(server.perConnection.map((r) => r.length)).toEqual([1, 1]);
      expect(idleBlobConnections(server.origin)).toBe(0);
    }
    // HTTP/1.0 with keep-alive asked for is kept.
    const asked = await keepAliveServer((s) => s.write("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nabc"));
    for (let i = 0; i < 2; i++) await collect(await socketGet(`${asked.url}/b`, {}));
    expect(asked.perConnection.map((r) => r.length)).toEqual([2]);
    // The head arrives, the body is dumped before its end: the rest of it would be read as the next answer.
    const slow = await keepAliveServer((s, _request, n) => {
      s.write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabc");
      if (n === 0) setTimeout(() => !s.destroyed && s.write("def"), 100);
      else s.write("def");
    });
    await (await socketGet(`${slow.url}/b`, {})).body.dump();
    expect((await collect(await socketGet(`${slow.url}/b`, {}))).toString()).toBe("abcdef");
    expect(slow.perConnection.map((r) => r.length)).toEqual([1, 1]);
  });

  it("sends the GET again on a new connection when the kept one was closed by the server before answering", async () => {
    const server = await keepAliveServer((s, _request, n) => (n === 0 ? s.write(answer("first")) : s.destroy()));
    expect((await collect(await socketGet(`${server.url}/a`, {}))).toString()).toBe("first");
    expect((await collect(await socketGet(`${server.url}/b`, {}))).toString()).toBe("first");
    expect(server.perConnection.map((r) => r.length)).toEqual([2, 1]);
  });

  it("never sends it again once the answer began, nor on a connection that was new", async () => {
    const partial = await keepAliveServer((s, _request, n) => (n === 0 ? s.write(answer("first")) : s.end("HTTP/1.1 200 OK\r\nContent-Le")));
    await collect(await socketGet(`${partial.url}/a`, {}));
    await expect(socketGet(`${partial.url}/b`, {})).rejects.toThrow(/closed the connection/);
    expect(partial.perConnection).toHaveLength(1);
    const fresh = await keepAliveServer((s) => s.destroy());
    await expect(socketGet(`${fresh.url}/a`, {})).rejects.toThrow();
    expect(fresh.perConnection).toHaveLength(1);
  });

  it("forgets a kept connection as soon as the server closes it", async () => {
    const server = await keepAliveServer((s) => {
      s.write(answer("abc"));
      setTimeout(() => s.end(), 50);
    });
    await collect(await socketGet(`${server.url}/a`, {}));
    expect(idleBlobConnections(server.origin)).toBe(1);
    expect(await until(() => idleBlobConnections(server.origin), (n) => n === 0, 2000)).toBe(0);
    expect((await collect(await socketGet(`${server.url}/b`, {}))).toString()).toBe("abc");
    expect(server.perConnection.map((r) => r.length)).toEqual([1, 1]);
  });

  it("keeps at most 8 idle connections per origin, and honours the server's Keep-Alive timeout", async () => {
    const waiting: net.Socket[] = [];
    const server = await keepAliveServer((s) => {
      // Answer once all ten GETs are in, so that ten connections are open at once.
      waiting.push(s);
      if (waiting.length === 10) for (const w of waiting.splice(0)) w.write(answer("x"));
    });
    await Promise.all(Array.from({ length: 10 }, async (_, i) => collect(await socketGet(`${server.url}/${i}`, {}))));
    expect(server.perConnection).toHaveLength(10);
    expect(idleBlobConnections(server.origin)).toBe(8);
    expect(await until(() => server.closed.count, (n) => n === 2, 2000)).toBe(2);

    const short = await keepAliveServer((s) => s.write(answer("x", "Keep-Alive: timeout=1\r\n")));
    await collect(await socketGet(`${short.url}/a`, {}));
    expect(idleBlobConnections(short.origin)).toBe(0);
    expect(idleTimeFor("timeout=5, max=100")).toBe(IDLE_MS);
    expect(idleTimeFor("max=100, timeout=3")).toBe(2000);
    expect(idleTimeFor(undefined)).toBe(IDLE_MS);
  });

  it("never hands a connection that skipped certificate checks to a GET that wants them", async () => {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-socket-get-"));
    const cert = await selfSignedCertificate(dir, "upstream");
    let connections = 0;
    const server = tls.createServer({ key: cert.keyPem, cert: cert.certPem }, (socket) => {
      socket.on("data", () => socket.write(answer("secure")));
      socket.on("error", () => {});
    });
    server.on("connection", () => connections++); // TCP connections, handshake or not
    server.on("tlsClientError", () => {});
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}/b`;
    for (let i = 0; i < 2; i++) expect((await collect(await socketGet(url, {}, { insecureTls: true }))).toString()).toBe("secure");
    expect(connections).toBe(1);
    // The same origin, verified: the self-signed certificate is refused on a connection of its own.
    await expect(socketGet(url, {})).rejects.toThrow(/self[- ]signed|certificate/i);
    expect(connections).toBe(2);
    await fs.promises.rm(dir, { recursive: true, force: true });
  });
});
