import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { PassThrough, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Agent, request } from "undici";
import { deriveKey } from "@/lib/secrets/master-key";
import type { BlobStore, FillDestination, FillMeta } from "./blob-store";
import { CacheStore } from "./cache-store";
import type { FillClaims } from "./fill-claims";
import { sendFromFill } from "./fill-sender";
import type { ProxyCache } from "./proxy-cache";

// One upstream fetch per blob across proxy replicas (object storage mode).
// The replica that claims a blob (fill-claims.ts) downloads it and serves the
// download in progress to the other replicas from an internal endpoint,
//   GET /_pullgate/fills/<namespace>/<digest>   X-Pullgate-Peer-Auth: <expiry>.<hmac>
// authenticated with a key derived from PULLGATE_SECRET_KEY (every replica has
// it, no client does). The other replicas stream that as their own fill (their
// clients get the bytes as the owner receives them, the digest is verified
// again). If the owner's stream breaks (it died), a reader takes the claim over
// and fetches the rest from the upstream with a Range; it then stores the
// verified blob itself.
//
// Peer connections go to endpoints our own replicas advertised in our
// database, never to a tenant's choice: they do not pass lib/outbound (which
// would otherwise need the replicas' private network allowed for every tenant).

export const PEER_FILL_PREFIX = "/_pullgate/fills/";
const AUTH_HEADER = "x-pullgate-peer-auth";
const AUTH_VALIDITY_MS = 60_000;
const FILL_READ_CHUNK = 512 * 1024;

export class PeerFillUnavailable extends Error {}

function peerKey(): Buffer {
  return deriveKey("proxy-peer-fill");
}

function sign(namespace: string, digest: string, expiry: number): string {
  return createHmac("sha256", peerKey()).update(`${namespace}/${digest}/${expiry}`).digest("base64url");
}

export function peerAuthHeader(namespace: string, digest: string, now = Date.now()): string {
  const expiry = now + AUTH_VALIDITY_MS;
  return `${expiry}.${sign(namespace, digest, expiry)}`;
}

export function verifyPeerAuth(header: string | undefined, namespace: string, digest: string, now = Date.now()): boolean {
  const m = /^(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(header ?? "");
  if (!m) return false;
  const expiry = Number(m[1]);
  if (expiry < now || expiry > now + 2 * AUTH_VALIDITY_MS) return false;
  const expected = Buffer.from(sign(namespace, digest, expiry));
  const given = Buffer.from(m[2]!);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The owner's side: streams a fill in progress to another replica. */
export async function servePeerFill(cache: ProxyCache, req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
  const [namespace, digest] = decodeURIComponent(pathname.slice(PEER_FILL_PREFIX.length)).split("/");
  const refuse = (status: number, message: string) => {
    res.statusCode = status;
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
    res.end(`${message}\n`);
  };
  if (req.method !== "GET" || !namespace || !digest || !CacheStore.isCacheable(namespace, digest)) return refuse(404, "not found");
  if (!verifyPeerAuth(headerValue(req.headers[AUTH_HEADER]), namespace, digest)) return refuse(403, "forbidden");
  const inFlight = cache.fills.get(CacheStore.keyOf(namespace, digest));
  if (!inFlight) return refuse(404, "no such download in progress");
  try {
    await inFlight.ready;
  } catch {
    return refuse(502, "download failed");
  }
  const fill = inFlight.fill;
  if (fill.state === "failed") return refuse(502, "download failed");
  res.statusCode = 200;
  res.setHeader("Content-Type", "application/octet-stream");
  if (fill.size !== null) res.setHeader("Content-Length", fill.size);
  try {
    await sendFromFill(fill, res, { start: 0, fileChunk: FILL_READ_CHUNK });
    res.end();
  } catch {
    res.destroy();
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A fill's destination when replicas share fills: the store's streaming
 * upload when this replica owns the fill from the start; nothing while it only
 * relays another replica's fill; the verified file, stored after the fact,
 * when it took the fill over.
 */
export class SharedFillDestination implements FillDestination {
  private live: FillDestination | null = null;
  private tookOver = false;

  constructor(
    private readonly store: BlobStore,
    private readonly namespace: string,
    private readonly digest: string,
  ) {}

  get owned(): boolean {
    return this.live !== null || this.tookOver;
  }

  /** Owner from the start: upload as the bytes arrive (before the body flows). */
  own(): void {
    this.live ??= this.store.openDestination(this.namespace, this.digest);
  }

  /** Owner after the previous owner's stream broke: store the verified file once complete. */
  takeOver(): void {
    this.tookOver = true;
  }

  write(chunk: Buffer): boolean {
    return this.live ? this.live.write(chunk) : true;
  }

  onceDrained(resume: () => void): void {
    if (this.live) this.live.onceDrained(resume);
    else resume();
  }

  async complete(meta: FillMeta): Promise<void> {
    if (this.live) return this.live.complete(meta);
    if (this.tookOver) await this.store.storeFile?.(this.namespace, this.digest, meta);
  }

  async abort(reason: Error): Promise<void> {
    await this.live?.abort(reason);
  }
}

export type PeerFills = { claims: FillClaims; agent: Agent };

export function createPeerFills(claims: FillClaims): PeerFills {
  // Short timeouts: a replica that stops sending is treated as dead and taken over. A replica
  // serving HTTPS has whatever certificate customers see, not one for its address: not checked,
  // because nothing rides on it (the request is signed, the bytes are verified against the digest).
  return { claims, agent: new Agent({ headersTimeout: 5_000, bodyTimeout: 5_000, connect: { timeout: 2_000, rejectUnauthorized: false } }) };
}

export type BlobSource = { body: Readable; size: number | null };

/**
 * The bytes of a blob this replica is asked for, whoever fetches them: from the
 * upstream when this replica owns the fill; else from the owner's endpoint,
 * continued from the upstream (with a Range) if that stream breaks.
 * `fetchUpstream(from)` opens the upstream body from byte `from`.
 */
export async function openSharedSource(
  peers: PeerFills,
  destination: SharedFillDestination,
  namespace: string,
  digest: string,
  fetchUpstream: (from: number) => Promise<BlobSource>,
): Promise<BlobSource> {
  let claim: Awaited<ReturnType<FillClaims["claim"]>>;
  try {
    claim = await peers.claims.claim(namespace, digest);
  } catch {
    // No database answer: serve our clients from the upstream, store nothing (no claim, no record).
    return fetchUpstream(0);
  }
  if (claim.owner) {
    destination.own();
    return fetchUpstream(0);
  }
  let peer: Awaited<ReturnType<typeof request>>;
  try {
    peer = await request(`${claim.endpoint}${PEER_FILL_PREFIX}${encodeURIComponent(namespace)}/${encodeURIComponent(digest)}`, {
      dispatcher: peers.agent,
      headers: { [AUTH_HEADER]: peerAuthHeader(namespace, digest) },
    });
    if (peer.statusCode !== 200) {
      await peer.body.dump();
      throw new PeerFillUnavailable(`peer answered ${peer.statusCode}`);
    }
  } catch {
    // The owner is gone or finished: take over (or, if someone else did, fetch for our clients without storing).
    if (await peers.claims.takeOver(namespace, digest, claim.ownerId)) destination.own();
    return fetchUpstream(0);
  }
  const length = Number(peer.headers["content-length"]);
  const size = Number.isSafeInteger(length) && length >= 0 ? length : null;
  const body = new PassThrough({ highWaterMark: 1024 * 1024 });
  let received = 0;
  const relay = peer.body;
  relay.on("data", (chunk: Buffer) => {
    received += chunk.length;
    if (!body.write(chunk)) {
      relay.pause();
      body.once("drain", () => relay.resume());
    }
  });
  let finished = false;
  const continueFromUpstream = async () => {
    if (finished) return;
    finished = true;
    try {
      if (await peers.claims.takeOver(namespace, digest, claim.ownerId)) destination.takeOver();
      const rest = await fetchUpstream(received);
      await pipeline(rest.body, body);
    } catch (err) {
      body.destroy(err as Error);
    }
  };
  relay.once("end", () => {
    if (size !== null && received < size) return void continueFromUpstream();
    finished = true;
    body.end();
  });
  relay.once("error", () => void continueFromUpstream());
  relay.once("close", () => {
    if (!relay.readableEnded) void continueFromUpstream();
  });
  return { body, size };
}
