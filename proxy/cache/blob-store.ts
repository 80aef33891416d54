import type { PullContext } from "../registry-api";
import type { ProxyCache } from "./proxy-cache";

// Where verified blobs are kept, as the rest of the cache sees it. Two
// implementations: the local cache directory (local-blob-store.ts, the
// default) and S3-compatible object storage (s3-blob-store.ts,
// PULLGATE_BLOB_STORE=s3://bucket/prefix). The handlers (cached-blobs.ts) and
// the download (blob-fill.ts) only use this interface.
//
// Every fill still streams through a temporary file of its own process (that
// is what late joiners and Range requests of a download in flight read); a
// store decides where the verified bytes end up.

export type FillMeta = { size: number; repositories: string[]; mediaType?: string; file: string };

/** A complete, verified blob, leased until send() is done with it. */
export interface StoredBlob {
  readonly size: number;
  /** Upstream repositories (of this namespace's registry) known to hold the digest. */
  readonly repositories: ReadonlySet<string>;
  addRepository(repository: string): Promise<void>;
  /**
   * Answers the GET/HEAD (Range included) after the license check, and
   * releases the lease. False when the blob turned out to be gone and nothing
   * was sent (the caller fetches it again).
   */
  send(ctx: PullContext, cache: ProxyCache): Promise<boolean>;
  /** The lease without sending (an error before send()). */
  release(): void;
  /** The blob is gone: stop indexing it. */
  forget(): void;
}

/**
 * Where a fill's bytes go as they arrive, besides its temporary file. Nothing
 * written here is visible under the blob's key until complete(), which is only
 * called once the digest verified; abort() otherwise.
 */
export interface FillDestination {
  /** False: wants the upstream paused until onceDrained() calls back. */
  write(chunk: Buffer): boolean;
  onceDrained(resume: () => void): void;
  /** `file`: the fill's verified temporary file (still there until complete() returns). */
  complete(meta: FillMeta): Promise<void>;
  abort(reason: Error): Promise<void>;
}

export interface BlobStore {
  /** For logs and metrics only: nothing outside the store branches on it. */
  readonly kind: "local" | "s3";
  /** The complete blob, leased against eviction; undefined when it is not stored. */
  lease(namespace: string, digest: string): Promise<StoredBlob | undefined>;
  /**
   * Where a new fill's bytes go. null: the fill's own temporary file is what
   * is kept (fsync'd and renamed into the local cache directory).
   */
  openDestination(namespace: string, digest: string): FillDestination | null;
  /**
   * Stores a verified file after the fact (a replica that took over another's
   * download, peer-fills.ts). Stores shared by replicas have it; the local directory does not.
   */
  storeFile?(namespace: string, digest: string, meta: FillMeta): Promise<void>;
  close(): Promise<void>;
}
