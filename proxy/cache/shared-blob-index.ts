import type { PrismaClient } from "@/lib/generated/prisma/client";

// Which blobs the object store holds, per registry namespace, with the
// upstream repositories proven to hold them (table CachedBlob): the index every
// proxy replica shares when blobs live in S3 (what the sidecar files are for
// the local directory). Reads skip blobs the eviction job has marked; the last
// access time is written at most once a minute per blob, whatever the number
// of replicas' requests.

export type IndexedBlob = { size: number; repositories: string[] };

/** What S3BlobStore needs from an index (tests may stand in). */
export interface BlobIndex {
  get(namespace: string, digest: string): Promise<IndexedBlob | null>;
  /** A verified blob was stored (again): visible, its repositories merged, not evicting. */
  record(namespace: string, digest: string, blob: IndexedBlob): Promise<void>;
  addRepository(namespace: string, digest: string, repository: string): Promise<void>;
}

const TOUCH_INTERVAL_MS = 60_000;

export class SharedBlobIndex implements BlobIndex {
  constructor(private readonly prisma: PrismaClient) {}

  async get(namespace: string, digest: string): Promise<IndexedBlob | null> {
    const rows = await this.prisma.$queryRaw<{ size: bigint; repositories: string[]; lastAccessAt: Date }[]>`
      SELECT "size", "repositories", "lastAccessAt" FROM "CachedBlob"
      WHERE "namespace" = ${namespace} AND "digest" = ${digest} AND "evictingAt" IS NULL`;
    const row = rows[0];
    if (!row) return null;
    const now = Date.now();
    if (now - row.lastAccessAt.getTime() > TOUCH_INTERVAL_MS) {
      // Sampled: only when the stored time is over a minute old (the guard makes concurrent touches one write).
      void this.prisma.$executeRaw`
        UPDATE "CachedBlob" SET "lastAccessAt" = ${new Date(now)}
        WHERE "namespace" = ${namespace} AND "digest" = ${digest} AND "lastAccessAt" < ${new Date(now - TOUCH_INTERVAL_MS)}`.catch(() => {});
    }
    return { size: Number(row.size), repositories: row.repositories };
  }

  async record(namespace: string, digest: string, blob: IndexedBlob): Promise<void> {
    const now = new Date();
    await this.prisma.$executeRaw`
      INSERT INTO "CachedBlob" ("namespace", "digest", "size", "repositories", "storedAt", "lastAccessAt")
      VALUES (${namespace}, ${digest}, ${BigInt(blob.size)}, ${blob.repositories}::text[], ${now}, ${now})
      ON CONFLICT ("namespace", "digest") DO UPDATE SET
        "size" = EXCLUDED."size",
        "repositories" = ARRAY(SELECT DISTINCT unnest("CachedBlob"."repositories" || EXCLUDED."repositories")),
        "lastAccessAt" = EXCLUDED."lastAccessAt",
        "evictingAt" = NULL`;
  }

  async addRepository(namespace: string, digest: string, repository: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "CachedBlob" SET "repositories" = array_append("repositories", ${repository})
      WHERE "namespace" = ${namespace} AND "digest" = ${digest} AND NOT (${repository} = ANY("repositories"))`;
  }
}
