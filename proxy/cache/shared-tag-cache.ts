import { createHash } from "node:crypto";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { TagAnswers, TagRecord } from "./tag-cache";

// Tag → digest answers with their check times in Postgres (table CachedTag),
// shared by every proxy replica when blobs live in object storage: one replica's
// revalidation serves them all, and every replica knows the last digest to fall
// back on when the upstream is down. Keyed like tag-cache.ts (a hash of
// repository, tag and the canonical accepted types), per registry namespace.

export class SharedTagCache implements TagAnswers {
  constructor(private readonly prisma: PrismaClient) {}

  async get(namespace: string, repository: string, tag: string, accept: string): Promise<TagRecord | undefined> {
    const rows = await this.prisma.$queryRaw<{ digest: string; mediaType: string; size: number; checkedAt: Date }[]>`
      SELECT "digest", "mediaType", "size", "checkedAt" FROM "CachedTag" WHERE "namespace" = ${namespace} AND "key" = ${tagKey(repository, tag, accept)}`;
    const row = rows[0];
    return row ? { digest: row.digest, mediaType: row.mediaType, size: row.size, checkedAt: row.checkedAt.getTime() } : undefined;
  }

  async set(namespace: string, repository: string, tag: string, accept: string, record: TagRecord): Promise<void> {
    const checkedAt = new Date(record.checkedAt);
    // A slower replica's older answer never overwrites a newer one.
    await this.prisma.$executeRaw`
      INSERT INTO "CachedTag" ("namespace", "key", "digest", "mediaType", "size", "checkedAt")
      VALUES (${namespace}, ${tagKey(repository, tag, accept)}, ${record.digest}, ${record.mediaType}, ${record.size}, ${checkedAt})
      ON CONFLICT ("namespace", "key") DO UPDATE SET
        "digest" = EXCLUDED."digest", "mediaType" = EXCLUDED."mediaType", "size" = EXCLUDED."size", "checkedAt" = EXCLUDED."checkedAt"
      WHERE "CachedTag"."checkedAt" <= EXCLUDED."checkedAt"`;
  }

  async delete(namespace: string, repository: string, tag: string, accept: string): Promise<void> {
    await this.prisma.$executeRaw`DELETE FROM "CachedTag" WHERE "namespace" = ${namespace} AND "key" = ${tagKey(repository, tag, accept)}`;
  }
}

function tagKey(repository: string, tag: string, accept: string): string {
  return createHash("sha256").update(`${repository}\0${tag}\0${accept}`).digest("hex");
}
