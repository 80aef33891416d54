import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@/lib/generated/prisma/client";

// Who downloads a blob from its upstream when several proxy replicas are asked
// for it at once (table BlobFillClaim). The first replica to claim a blob
// fills it and advertises its internal endpoint; the others stream the fill
// from there (peer-fills.ts). The owner renews its claims every second; a
// claim not renewed for STALE_MS belongs to a dead replica and is free.

export const HEARTBEAT_MS = 1_000;
export const STALE_MS = 4_000;

export type Claim = { owner: true } | { owner: false; ownerId: string; endpoint: string };

export class FillClaims {
  /** This replica's id (changes on restart, so a restarted replica never mistakes an old claim for its own). */
  readonly id = `${process.pid}-${randomBytes(6).toString("hex")}`;
  private readonly held = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly prisma: PrismaClient,
    /** Where the other replicas reach this one's fills (PULLGATE_PEER_URL). */
    readonly endpoint: string,
  ) {
    this.timer = setInterval(() => void this.heartbeat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Claims the fill of a blob, or names the live replica that has it. */
  async claim(namespace: string, digest: string): Promise<Claim> {
    const now = new Date();
    const rows = await this.prisma.$queryRaw<{ owner: string; endpoint: string }[]>`
      INSERT INTO "BlobFillClaim" ("namespace", "digest", "owner", "endpoint", "startedAt", "heartbeatAt")
      VALUES (${namespace}, ${digest}, ${this.id}, ${this.endpoint}, ${now}, ${now})
      ON CONFLICT ("namespace", "digest") DO UPDATE SET
        "owner" = CASE WHEN "BlobFillClaim"."heartbeatAt" < ${new Date(now.getTime() - STALE_MS)} THEN EXCLUDED."owner" ELSE "BlobFillClaim"."owner" END,
        "endpoint" = CASE WHEN "BlobFillClaim"."heartbeatAt" < ${new Date(now.getTime() - STALE_MS)} THEN EXCLUDED."endpoint" ELSE "BlobFillClaim"."endpoint" END,
        "startedAt" = CASE WHEN "BlobFillClaim"."heartbeatAt" < ${new Date(now.getTime() - STALE_MS)} THEN EXCLUDED."startedAt" ELSE "BlobFillClaim"."startedAt" END,
        "heartbeatAt" = CASE WHEN "BlobFillClaim"."heartbeatAt" < ${new Date(now.getTime() - STALE_MS)} THEN EXCLUDED."heartbeatAt" ELSE "BlobFillClaim"."heartbeatAt" END
      RETURNING "owner", "endpoint"`;
    const row = rows[0]!;
    if (row.owner === this.id) {
      this.held.add(`${namespace}\0${digest}`);
      return { owner: true };
    }
    return { owner: false, ownerId: row.owner, endpoint: row.endpoint };
  }

  /** The owner's stream broke: becomes the owner unless another replica already took over. */
  async takeOver(namespace: string, digest: string, previousOwner: string): Promise<boolean> {
    const now = new Date();
    const taken = await this.prisma.$executeRaw`
      UPDATE "BlobFillClaim" SET "owner" = ${this.id}, "endpoint" = ${this.endpoint}, "heartbeatAt" = ${now}
      WHERE "namespace" = ${namespace} AND "digest" = ${digest} AND "owner" = ${previousOwner}`;
    if (taken > 0) this.held.add(`${namespace}\0${digest}`);
    return taken > 0;
  }

  /** The fill settled (stored, or failed): the claim goes. */
  async release(namespace: string, digest: string): Promise<void> {
    this.held.delete(`${namespace}\0${digest}`);
    await this.prisma.$executeRaw`
      DELETE FROM "BlobFillClaim" WHERE "namespace" = ${namespace} AND "digest" = ${digest} AND "owner" = ${this.id}`.catch(() => {});
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.prisma.$executeRaw`DELETE FROM "BlobFillClaim" WHERE "owner" = ${this.id}`.catch(() => {});
    this.held.clear();
  }

  private async heartbeat(): Promise<void> {
    if (this.held.size === 0) return;
    await this.prisma.$executeRaw`UPDATE "BlobFillClaim" SET "heartbeatAt" = ${new Date()} WHERE "owner" = ${this.id}`.catch(() => {});
  }
}
