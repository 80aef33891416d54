import { createHash } from "node:crypto";
import pg from "pg";
import { config } from "@/lib/config";

// "One replica at a time" jobs (cache eviction, custom-domain re-checks) take
// a Postgres session advisory lock on a connection of their own: whoever holds
// it runs, the others skip this round. The lock dies with the connection, so a
// replica killed mid-job never blocks the others. The embedded database has
// exactly one proxy, which runs the job without asking.

export type ExclusiveRun<T> = { ran: true; result: T } | { ran: false };

/** The 64-bit lock key of a job name (stable across versions and replicas). */
export function advisoryLockKey(name: string): bigint {
  return createHash("sha256").update(`pullgate:${name}`).digest().readBigInt64BE(0);
}

/** Runs `job` unless another process holds the lock `name` right now. */
export async function runExclusively<T>(name: string, job: () => Promise<T>, databaseUrl = config.databaseUrl): Promise<ExclusiveRun<T>> {
  if (!databaseUrl || config.embeddedDatabase) return { ran: true, result: await job() };
  const client = new pg.Client({ connectionString: databaseUrl, application_name: `pullgate ${name}` });
  client.on("error", () => {}); // a lost connection surfaces in the queries below
  await client.connect();
  try {
    const key = advisoryLockKey(name).toString();
    const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS locked", [key]);
    if (!rows[0]?.locked) return { ran: false };
    try {
      return { ran: true, result: await job() };
    } finally {
      await client.query("SELECT pg_advisory_unlock($1::bigint)", [key]).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}
