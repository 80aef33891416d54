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
//
// One read per key is in flight at a time, and a busy key's read is refreshed
// in the background before its second is up, so its requests never wait for
// it. Before, each time the second ran out every request of a busy client (64
// connections pulling with one license) queued a query of its own on the
// pool, and those waits were the manifest tail (bench: p99 with 64 connections).

const SWEEP_EVERY = 500;
const READ_MEMORY_MS = 1_000;
const READ_MEMORY_ENTRIES = 50_000;
/** A remembered read this old that is asked for again is refreshed in the background, still answered meanwhile. */
const REFRESH_AHEAD_MS = 750;

type Memo = { count: FailureCount | null; at: number };

export class SharedFailureStore implements FailureStore {
  private increments = 0;
  private readonly recent = new Map<string, Memo>();
  private readonly reading = new Map<string, Promise<FailureCount | null>>();

  constructor(private readonly prisma: PrismaClient) {}

  async get(key: string, now: number, forgetAfterMs: number): Promise<FailureCount | null> {
    const memo = this.recent.get(key);
    const age = memo ? Math.abs(Date.now() - memo.at) : Infinity;
    if (age >= READ_MEMORY_MS) return this.refresh(key, now, forgetAfterMs);
    // A failed refresh ahead changes nothing: the memo's second runs out and a request reads again.
    if (age >= REFRESH_AHEAD_MS) this.refresh(key, now, forgetAfterMs).catch(() => {});
    return answer(memo!, now, forgetAfterMs);
  }

  /** The key's row read once however many requests ask meanwhile; remembered when read. */
  private refresh(key: string, now: number, forgetAfterMs: number): Promise<FailureCount | null> {
    const inFlight = this.reading.get(key);
    if (inFlight) return inFlight;
    const startedAt = Date.now();
    const reading = this.read(key, now, forgetAfterMs).then((count) => {
      // A failure this process recorded while the read ran is newer than what the read saw.
      if ((this.recent.get(key)?.at ?? -Infinity) <= startedAt) this.remember(key, count);
      return count;
    });
    this.reading.set(key, reading);
    void reading.catch(() => {}).finally(() => this.reading.delete(key));
    return reading;
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

function answer(memo: Memo, now: number, forgetAfterMs: number): FailureCount | null {
  return memo.count && now - memo.count.lastFailureAt < forgetAfterMs ? { ...memo.count } : null;
}
