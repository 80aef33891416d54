import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { basicAuth, createCacheFixture, type CacheFixture } from "../helpers/cache-fixture";
import { writeOciImage, type WrittenImage } from "../helpers/oci-image";
import { pullgateStart, until, type PullgateStart } from "../helpers/pullgate-start";
import { freePort, startRegistry, type TestRegistry } from "../helpers/registry";

// SIGTERM to `pullgate start` while a customer downloads a large layer: the
// supervisor drains the proxy the same way the proxy drains itself. The
// download completes, new connections are refused at once, /readyz answers
// 503 to whoever still asks on an open connection (here: pipelined behind the
// download), and the pull event of the download is written before the
// process exits.

const UPSTREAM_PASSWORD = `upstream-${randomBytes(12).toString("hex")}`;
const MiB = 1024 * 1024;
const LAYER_SIZE = 64 * MiB;

let work: string;
let proxyPort: number;
let registry: TestRegistry;
let fixture: CacheFixture;
let image: WrittenImage;
let instance: PullgateStart;

beforeAll(async () => {
  work = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-drain-"));
  registry = await startRegistry({ auth: "htpasswd", users: { vendor: UPSTREAM_PASSWORD } });
  image = await writeOciImage(path.join(work, "layout"), { tag: "big", layers: [{ size: LAYER_SIZE, seed: randomBytes(4).toString("hex") }] });
  await registry.push(path.join(work, "layout"), "big", "acme/big:1");
  fixture = await createCacheFixture({ registries: { upstream: registry.host }, upstreamPassword: UPSTREAM_PASSWORD });
  proxyPort = await freePort();
  instance = pullgateStart(["--proxy-only"], {
    DATABASE_URL: process.env.DATABASE_URL,
    PULLGATE_DATA_DIR: path.join(work, "data"),
    PROXY_PORT: String(proxyPort),
    PROXY_PUBLIC_HOST: `127.0.0.1:${proxyPort}`,
    PULLGATE_SECRET_KEY: process.env.PULLGATE_SECRET_KEY,
    // Generous: the test decides when the download resumes, on a loaded machine.
    PULLGATE_SHUTDOWN_GRACE: "120",
    PULLGATE_DOMAIN_CHECK_INTERVAL: "0",
    PULLGATE_UPSTREAM_ALLOW_CIDRS: "127.0.0.0/8",
  });
  await instance.ready();
}, 300_000);

afterAll(async () => {
  await instance?.stop(5_000);
  await registry?.stop();
  if (work) await fs.promises.rm(work, { recursive: true, force: true });
});

function connectOutcome(port: number): Promise<"connected" | "refused" | "other"> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "ECONNREFUSED" ? "refused" : "other"));
  });
}

/** Reads HTTP/1.1 responses off a raw socket, one after the other (the requests were pipelined). */
class ResponseReader {
  private buffer = Buffer.alloc(0);
  private waiting: (() => void) | null = null;
  private ended = false;
  constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.waiting?.();
    });
    socket.on("close", () => {
      this.ended = true;
      this.waiting?.();
    });
  }
  private async more(): Promise<void> {
    if (this.ended) throw new Error("connection closed early");
    await new Promise<void>((resolve) => (this.waiting = resolve));
    this.waiting = null;
  }
  async head(): Promise<{ status: number; headers: Record<string, string> }> {
    let end: number;
    while ((end = this.buffer.indexOf("\r\n\r\n")) < 0) await this.more();
    const [statusLine, ...lines] = this.buffer.subarray(0, end).toString("latin1").split("\r\n");
    this.buffer = this.buffer.subarray(end + 4);
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
    return { status: Number(statusLine!.split(" ")[1]), headers };
  }
  /** Body bytes, handed to `onChunk` as they arrive (it may pause the socket). */
  async body(length: number, onChunk: (received: number, chunk: Buffer) => void = () => {}): Promise<number> {
    let received = 0;
    while (received < length) {
      if (this.buffer.length === 0) await this.more();
      const take = this.buffer.subarray(0, length - received);
      this.buffer = this.buffer.subarray(take.length);
      received += take.length;
      onChunk(received, take);
    }
    return received;
  }
}

describe("SIGTERM to pullgate start during a large blob download", () => {
  it("completes the download, refuses new connections, answers /readyz 503 meanwhile, writes the pull event, exits 0", async () => {
    const layer = image.layers[0]!;
    const socket = net.connect(proxyPort, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    const reader = new ResponseReader(socket);
    const host = `127.0.0.1:${proxyPort}`;
    socket.write(`GET /v2/proxy/${fixture.appSlug}/upstream/acme/big/blobs/${layer.digest} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: ${basicAuth(fixture.licenseId)}\r\n\r\n`);
    const blobHead = await reader.head();
    expect(blobHead.status).toBe(200);
    expect(Number(blobHead.headers["content-length"])).toBe(layer.size);

    const hash = createHash("sha256");
    let signalled = false;
    let resume: () => void = () => {};
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    const reading = reader.body(layer.size, (received, chunk) => {
      hash.update(chunk);
      // The first MiB is in: stop reading (the response stays in progress) and stop Pullgate.
      if (!signalled && received >= MiB) {
        signalled = true;
        socket.pause();
        instance.child.kill("SIGTERM");
        void resumed.then(() => socket.resume());
      }
    });

    await until(() => signalled, Boolean);
    expect(await until(() => connectOutcome(proxyPort), (o) => o === "refused")).toBe("refused");
    expect(await until(() => instance.output(), (out) => out.includes("shutting down: /readyz answers 503"))).toContain("shutting down");
    expect(instance.child.exitCode).toBeNull();
    // A load balancer still holding a connection asks whether to send more: no. (Pipelined behind the download.)
    socket.write(`GET /readyz HTTP/1.1\r\nHost: ${host}\r\n\r\n`);

    resume();
    expect(await reading).toBe(layer.size);
    expect(`sha256:${hash.digest("hex")}`).toBe(layer.digest);

    const ready = await reader.head();
    expect(ready.status).toBe(503);
    expect(ready.headers.connection).toBe("close");
    const readyBody: Buffer[] = [];
    await reader.body(Number(ready.headers["content-length"]), (_, chunk) => readyBody.push(chunk));
    expect(JSON.parse(Buffer.concat(readyBody).toString())).toEqual({ status: "draining" });
    socket.destroy();

    expect(await instance.exited).toBe(0);
    expect(instance.output()).toContain("pullgate: stopped.");
    const events = await prisma.pullEvent.findMany({ where: { licenseId: fixture.licenseId, digest: layer.digest, action: "blob" } });
    expect(events).toEqual([expect.objectContaining({ status: 200, bytes: BigInt(layer.size) })]);
  }, 240_000);
});
