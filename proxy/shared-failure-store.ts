import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { FailureCount, FailureStore } from "./auth-rate-limit";

// Failed-login counts in Postgres (table ProxyAuthFailure), so N proxy replicas
// behind a load balancer throttle a guessing client as one proxy would: its
// failures add up whichever replica they hit. One statement per failure (an
// upsert that restarts a forgotten count); the read every request with
// credentials makes is remembered for a second per key in this process (so a
// busy rollout does not cost a query per blob, and another replica's failures
// count here within a second); rows older than the forget period are swept now
// and then.

const SWEEP_EVERY = 500;
const READ_MEMORY_MS = 1_000;
const READ_MEMORY_ENTRIES = 50_000;

export class SharedFailureStore implements FailureStore {
  private increments = 0;
  private readonly recent = new Map<string, { count: FailureCount | null; at: number }>();

  constructor(private readonly prisma: PrismaClient) {}

  async get(key: string, now: number, forgetAfterMs: number): Promise<FailureCount | null> {
    const memo = this.recent.get(key);
    if (memo && Math.abs(Date.now() - memo.at) < READ_MEMORY_MS) return memo.count && now - memo.count.lastFailureAt < forgetAfterMs ? { ...memo.count } : null;
    const count = await this.read(key, now, forgetAfterMs);
    this.remember(key, count);
    return count;
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
    this.remember(key, count);
    return count;
  }

  private remember(key: string, count: FailureCount | null): void {
    if (this.recent.size >= READ_MEMORY_ENTRIES) this.recent.clear();
    this.recent.set(key, { count, at: Date.now() });
  }
}
