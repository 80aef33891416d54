import fs from "node:fs";
import { PassThrough, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type * as ClientS3 from "@aws-sdk/client-s3";
import type { S3Client } from "@aws-sdk/client-s3";
import type * as LibStorage from "@aws-sdk/lib-storage";
import type * as Presigner from "@aws-sdk/s3-request-presigner";
import type { Logger } from "pino";
import { API_VERSION, API_VERSION_HEADER } from "../errors";
import type { PullContext } from "../registry-api";
import { headerString } from "../upstream-request";
import type { BlobStore, FillDestination, FillMeta, StoredBlob } from "./blob-store";
import { setBlobHeaders, sendUnsatisfiable } from "./blob-response";
import { parseByteRange } from "./byte-range";
import type { BlobIndex } from "./shared-blob-index";
import type { ProxyCache } from "./proxy-cache";

// Blobs in S3-compatible object storage (PULLGATE_BLOB_STORE=s3://bucket/prefix),
// through the official AWS SDK only: nothing here knows which S3 it talks to.
//
//   <prefix>/<namespace>/<algorithm>/<hex>            verified blob bytes
//
// Which blobs exist, and the repositories confirmed to hold them, is in the
// index every replica shares (shared-blob-index.ts, Postgres); an object is
// recorded there only after its upload completed.
//
// Cold: the fill (blob-fill.ts) feeds every upstream byte into a streaming
// multipart upload to the blob's key while its clients are served; the upload
// is completed only after the digest verified (until then S3 shows nothing
// under the key: parts of an unfinished upload are not an object) and aborted
// otherwise. Services that refuse AbortMultipartUpload leave the parts to the
// bucket's lifecycle rule (docs/deploy.md), never an object.
// Warm: after the license check, a 307 to a presigned GET valid for
// REDIRECT_EXPIRY_SECONDS (the client sends its Range to the object store), or
// with PULLGATE_S3_REDIRECT=0 the object is streamed through the proxy.
//
// Outbound policy: lib/outbound guards connections made on a *tenant's*
// behalf, to hosts a tenant chose. The S3 endpoint is the operator's own
// setting, and keys are built only from our registry ids and validated
// digests, so no tenant input reaches it. Routing it through the tenant policy
// would force operators of an in-network store (MinIO, Ceph on 10.x) to add
// that range to PULLGATE_UPSTREAM_ALLOW_CIDRS, which would open it to every
// tenant's upstream as well: the S3 client therefore uses the SDK's own
// connections, deliberately.

export const REDIRECT_EXPIRY_SECONDS = 60;
// Multipart parts: 8 MiB (S3's minimum is 5), two in flight per fill.
const PART_SIZE = 8 * 1024 * 1024;
const UPLOAD_QUEUE = 2;

export type S3Location = { bucket: string; prefix: string };

/** The AWS SDK modules, loaded on demand so a proxy without object storage never loads them. */
export type S3Sdk = {
  s3: typeof ClientS3;
  storage: typeof LibStorage;
  presigner: typeof Presigner;
};

export async function loadS3Sdk(): Promise<S3Sdk> {
  const [s3, storage, presigner] = await Promise.all([import("@aws-sdk/client-s3"), import("@aws-sdk/lib-storage"), import("@aws-sdk/s3-request-presigner")]);
  return { s3, storage, presigner };
}

/** `s3://<bucket>/<prefix>` → bucket and prefix (no leading or trailing slash). Throws a readable message. */
export function parseS3Location(url: string): S3Location {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url.trim());
  if (!m) throw new Error(`PULLGATE_BLOB_STORE must be s3://<bucket>/<prefix> with a valid bucket name, not "${url}"`);
  const prefix = (m[2] ?? "").replace(/^\/+|\/+$/g, "");
  if (prefix.split("/").some((part) => part === "." || part === "..")) throw new Error("PULLGATE_BLOB_STORE: the prefix may not contain . or .. segments");
  return { bucket: m[1]!, prefix };
}

export type S3BlobStoreOptions = S3Location & {
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  /** 307 to presigned URLs (true) or stream through the proxy. */
  redirect: boolean;
  /** Which blobs exist (shared by the replicas). */
  index: BlobIndex;
  sdk: S3Sdk;
  logger?: Logger;
  /** Tests: a client of their own; otherwise one is built from the options (credentials: the SDK's default chain). */
  client?: S3Client;
};

export class S3BlobStore implements BlobStore {
  readonly kind = "s3" as const;
  readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  readonly redirect: boolean;
  readonly logger: Logger | null;
  readonly index: BlobIndex;
  readonly sdk: S3Sdk;

  constructor(options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
    this.prefix = options.prefix;
    this.redirect = options.redirect;
    this.logger = options.logger ?? null;
    this.index = options.index;
    this.sdk = options.sdk;
    this.client =
      options.client ??
      new options.sdk.s3.S3Client({
        region: options.region,
        endpoint: options.endpoint,
        forcePathStyle: options.forcePathStyle,
        // Checksums only where S3 requires them: many S3-compatible services reject the newer
        // default trailers, and a presigned GET must sign nothing but the host (the client sends
        // only its own headers, Range included). Content is verified by digest before completion.
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
      });
  }

  /** The object key of a blob (namespace and digest were validated by CacheStore.isCacheable). */
  objectKey(namespace: string, digest: string): string {
    const [algorithm, hex] = digest.split(":") as [string, string];
    return [this.prefix, namespace, algorithm, hex].filter(Boolean).join("/");
  }

  async lease(namespace: string, digest: string): Promise<StoredBlob | undefined> {
    const key = this.objectKey(namespace, digest);
    let blob: { size: number; repositories: Set<string> };
    try {
      const found = await this.index.get(namespace, digest);
      if (!found) return undefined;
      blob = { size: found.size, repositories: new Set(found.repositories) };
    } catch (err) {
      this.logger?.warn({ err: describe(err), key }, "blob index unreachable: fetching the blob from the upstream instead");
      return undefined;
    }
    return {
      size: blob.size,
      repositories: blob.repositories,
      addRepository: async (repository) => {
        if (blob.repositories.has(repository)) return;
        blob.repositories.add(repository);
        await this.index.addRepository(namespace, digest, repository).catch(() => {});
      },
      send: (ctx, cache) => this.send(ctx, cache, key, blob.size),
      release: () => {},
      // The index named an object the bucket does not have (removed behind our back): the next
      // fill records it again.
      forget: () => {},
    };
  }

  openDestination(namespace: string, digest: string): FillDestination {
    return new S3Upload(this, namespace, digest);
  }

  async storeFile(namespace: string, digest: string, meta: FillMeta): Promise<void> {
    const upload = new this.sdk.storage.Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.objectKey(namespace, digest), Body: fs.createReadStream(meta.file), ContentType: "application/octet-stream" },
      partSize: PART_SIZE,
      queueSize: UPLOAD_QUEUE,
    });
    await upload.done();
    await this.index.record(namespace, digest, { size: meta.size, repositories: meta.repositories });
  }

  /** A presigned GET of an object (what a warm pull is redirected to). */
  presign(key: string): Promise<string> {
    return this.sdk.presigner.getSignedUrl(this.client, new this.sdk.s3.GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: REDIRECT_EXPIRY_SECONDS });
  }

  /** Removes an evicted blob's object (shared-eviction.ts). */
  async deleteObject(namespace: string, digest: string): Promise<void> {
    await this.client.send(new this.sdk.s3.DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(namespace, digest) }));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private async send(ctx: PullContext, cache: ProxyCache, key: string, size: number): Promise<boolean> {
    const { req, res } = ctx;
    const range = parseByteRange(headerString(req.headers.range), size);
    if (range === "unsatisfiable") {
      sendUnsatisfiable(ctx, size);
      return true;
    }
    if (req.method === "HEAD") {
      setBlobHeaders(ctx, size, range);
      ctx.event.cacheHit = true;
      res.end();
      return true;
    }
    const rangeBytes = range ? range.end - range.start + 1 : size;
    if (this.redirect) {
      res.statusCode = 307;
      res.setHeader("Location", await this.presign(key));
      res.setHeader("Docker-Content-Digest", ctx.reference!);
      res.setHeader(API_VERSION_HEADER, API_VERSION);
      res.setHeader("Cache-Control", "no-store");
      res.setHeader("Content-Length", 0);
      ctx.event.cacheHit = true;
      ctx.event.bytes += rangeBytes;
      cache.metrics?.cacheRedirects.inc();
      res.end();
      return true;
    }
    let body: Readable;
    try {
      const object = await this.client.send(
        new this.sdk.s3.GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
      );
      body = object.Body as Readable;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
    setBlobHeaders(ctx, size, range);
    ctx.event.cacheHit = true;
    const counter = cache.metrics?.cacheBytes.labels({ source: "cache" });
    body.on("data", (chunk: Buffer) => {
      ctx.event.bytes += chunk.length;
      counter?.inc(chunk.length);
    });
    try {
      await pipeline(body, res);
    } catch {
      // Client gone or the store cut the object short: never let it look whole.
      res.destroy();
      body.destroy();
    }
    return true;
  }
}

/** One fill's streaming multipart upload to its blob key (blob-store.ts FillDestination). */
class S3Upload implements FillDestination {
  private readonly body = new PassThrough({ highWaterMark: PART_SIZE });
  private readonly upload: InstanceType<S3Sdk["storage"]["Upload"]>;
  private readonly done: Promise<unknown>;
  private failure: Error | null = null;
  private settled = false;

  private readonly key: string;

  constructor(
    private readonly store: S3BlobStore,
    private readonly namespace: string,
    private readonly digest: string,
  ) {
    this.key = store.objectKey(namespace, digest);
    this.upload = new store.sdk.storage.Upload({
      client: store.client,
      params: { Bucket: store.bucket, Key: this.key, Body: this.body, ContentType: "application/octet-stream" },
      partSize: PART_SIZE,
      queueSize: UPLOAD_QUEUE,
      leavePartsOnError: false,
    });
    this.done = this.upload.done();
    this.done.catch((err: Error) => {
      // The upload failed before we finished it (the store is down): the download goes on to its
      // clients, just not kept. Stop buffering and let a paused upstream go on.
      this.failure ??= err;
      this.body.destroy();
      this.body.emit("drain");
    });
  }

  write(chunk: Buffer): boolean {
    if (this.failure || this.settled) return true;
    return this.body.write(chunk);
  }

  onceDrained(resume: () => void): void {
    if (this.failure) return resume();
    this.body.once("drain", resume);
  }

  async complete(meta: { size: number; repositories: string[] }): Promise<void> {
    if (this.failure) throw this.failure;
    this.settled = true;
    // Ending the body is what lets the SDK send the last part and complete the upload.
    this.body.end();
    try {
      await this.done;
    } catch (err) {
      this.store.logger?.warn({ err: describe(err), key: this.key }, "object store upload failed: the blob was delivered but not kept");
      throw err;
    }
    // Only now does any replica learn of it.
    await this.store.index.record(this.namespace, this.digest, { size: meta.size, repositories: meta.repositories });
  }

  async abort(reason: Error): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    this.failure ??= reason;
    // The body never ends: the SDK cannot complete; abort() cancels the multipart upload.
    this.body.destroy(reason);
    await this.upload.abort().catch(() => {});
    await this.done.catch(() => {});
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { $metadata?: { httpStatusCode?: number }; name?: string } | null;
  return e?.$metadata?.httpStatusCode === 404 || e?.name === "NotFound" || e?.name === "NoSuchKey";
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
