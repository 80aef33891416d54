import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { FailureCount, FailureStore } from "./auth-rate-limit";
import { RefreshingMemo } from "./refreshing-memo";

// Failed-login counts in Postgres (table ProxyAuthFailure), so N proxy replicas
// behind a load balancer throttle a guessing client as one proxy would: its
// failures add up whichever replica they hit. One statement per failure (an
// upsert that restarts a forgotten count); the read every request with
// credentials makes is remembered for a second per key in this process (so a
// busy rollout does not cost a query per blob, and another replica's failures
// count here within a second); rows older than the forget period are swept now
// and then.
//
// One read per key is in flight, and a busy key's read is refreshed ahead
// (refreshing-memo.ts), so its requests do not all wait for it each second. A
// failure recorded here is newer than any read in flight, which keeps it.

const SWEEP_EVERY = 500;
const READ_MEMORY_MS = 1_000;
const READ_MEMORY_ENTRIES = 50_000;

export class SharedFailureStore implements FailureStore {
  private increments = 0;
  private readonly recent = new RefreshingMemo<FailureCount | null>(READ_MEMORY_ENTRIES);

  constructor(private readonly prisma: PrismaClient) {}

  async get(key: string, now: number, forgetAfterMs: number): Promise<FailureCount | null> {
    const count = await this.recent.get(key, READ_MEMORY_MS, () => this.read(key, now, forgetAfterMs));
    return count && now - count.lastFailureAt < forgetAfterMs ? { ...count } : null;
  }

  private async read(key: string, now: number, forgetAfterMs: number): Promise<FailureCount | null> {
    const rows = await this.prisma.$queryRaw<{ failures: number; lastFailureAt: Date }[]>`
      SELECT "failures", "lastFailureAt" FROM "ProxyAuthFailure"
      WHERE "key" = ${key} AND "lastFailureAt" > ${new Date(now - forgetAfterMs)}`;
    const row = rows[0];
    return row ? { failures: row.failures, lastFailureAt: row.lastFailureAt.getTime() } : null;
  }

  async increment(key: string, now: number, forgetAfterMs: number): Promise<FailureCount> {
    const at = new Date(now);
    const rows = await this.prisma.$queryRaw<{ failures: number; lastFailureAt: Date }[]>`
      INSERT INTO "ProxyAuthFailure" ("key", "failures", "lastFailureAt") VALUES (${key}, 1, ${at})
      ON CONFLICT ("key") DO UPDATE SET
        "failures" = CASE WHEN "ProxyAuthFailure"."lastFailureAt" <= ${new Date(now - forgetAfterMs)} THEN 1 ELSE "ProxyAuthFailure"."failures" + 1 END,
        "lastFailureAt" = GREATEST("ProxyAuthFailure"."lastFailureAt", ${at})
      RETURNING "failures", "lastFailureAt"`;
    if (++this.increments % SWEEP_EVERY === 0) {
      void this.prisma.$executeRaw`DELETE FROM "ProxyAuthFailure" WHERE "lastFailureAt" <= ${new Date(now - forgetAfterMs)}`.catch(() => {});
    }
    const row = rows[0]!;
    const count = { failures: row.failures, lastFailureAt: row.lastFailureAt.getTime() };
    this.recent.set(key, count);
    return count;
  }
}
