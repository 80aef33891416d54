import pg from "pg";

/**
 * A fresh database for one benchmark on the machine's PostgreSQL
 * (BENCH_DATABASE_URL or DATABASE_URL, else 127.0.0.1:5432); its DROP is
 * pushed onto `cleanup`. Returns the new database's URL.
 */
export async function createBenchDatabase(prefix: string, cleanup: (() => Promise<unknown>)[]): Promise<string> {
  const base = new URL(process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres");
  const dbName = `${prefix}_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const dbUrl = new URL(base.toString());
  dbUrl.pathname = `/${dbName}`;
  cleanup.push(async () => {
    const c = new pg.Client({ connectionString: base.toString() });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await c.end();
  });
  return dbUrl.toString();
}
