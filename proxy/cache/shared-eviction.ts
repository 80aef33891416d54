import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { Logger } from "pino";
import { runExclusively } from "@/lib/db/advisory-lock";

// The size bound of the object store (PULLGATE_CACHE_MAX_BYTES), enforced
// across replicas by one eviction job at a time (advisory lock "blob-eviction";
// the other replicas skip the round). Two phases, so nothing is deleted under
// a client: least recently used blobs over the bound are first marked
// (evictingAt: the index stops serving them), and their objects are deleted
// only once every presigned URL handed out before the mark has expired.

export type EvictionOptions = {
  prisma: PrismaClient;
  maxBytes: number;
  /** How long a marked blob's object is kept (longer than a presigned URL lives). */
  graceMs: number;
  deleteObject(namespace: string, digest: string): Promise<void>;
  logger?: Logger;
  now?: Date;
};

export type EvictionResult = { marked: number; deleted: number; bytes: number };

/** One round (call it under the lock: runSharedEviction does). */
export async function evictSharedBlobs(options: EvictionOptions): Promise<EvictionResult> {
  const { prisma } = options;
  const now = options.now ?? new Date();
  const [total] = await prisma.$queryRaw<{ bytes: bigint }[]>`
    SELECT COALESCE(SUM("size"), 0)::bigint AS bytes FROM "CachedBlob" WHERE "evictingAt" IS NULL`;
  const bytes = Number(total?.bytes ?? 0);
  let marked = 0;
  const excess = bytes - options.maxBytes;
  if (options.maxBytes > 0 && excess > 0) {
    // Least recently used first, until what stays fits the bound.
    marked = await prisma.$executeRaw`
      WITH ranked AS (
        SELECT "namespace", "digest", "size",
               SUM("size") OVER (ORDER BY "lastAccessAt", "namespace", "digest") AS running
        FROM "CachedBlob" WHERE "evictingAt" IS NULL
      )
      UPDATE "CachedBlob" c SET "evictingAt" = ${now}
      FROM ranked r
      WHERE c."namespace" = r."namespace" AND c."digest" = r."digest" AND r.running - r."size" < ${BigInt(excess)}`;
  }
  const due = await prisma.$queryRaw<{ namespace: string; digest: string }[]>`
    DELETE FROM "CachedBlob" WHERE "evictingAt" <= ${new Date(now.getTime() - options.graceMs)}
    RETURNING "namespace", "digest"`;
  let deleted = 0;
  for (const { namespace, digest } of due) {
    try {
      await options.deleteObject(namespace, digest);
      deleted++;
    } catch (err) {
      // Left for the bucket's lifecycle rules; the index no longer names it.
      options.logger?.warn({ namespace, digest, err: (err as Error).message }, "object store: could not delete an evicted blob");
    }
  }
  if (marked > 0 || deleted > 0) options.logger?.info({ bytes, maxBytes: options.maxBytes, marked, deleted }, "object store: least recently used blobs evicted");
  return { marked, deleted, bytes };
}

/** Runs evictSharedBlobs every `intervalMs` on whichever replica holds the lock. */
export function startSharedEviction(options: EvictionOptions & { intervalMs: number }): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    runExclusively("blob-eviction", () => evictSharedBlobs(options))
      .catch((err: Error) => options.logger?.warn({ err: err.message }, "object store eviction failed; will retry"))
      .finally(() => (running = false));
  }, options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
