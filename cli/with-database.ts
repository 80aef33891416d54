import { config } from "@/lib/config";
import { resolveDatabase } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrate";

/**
 * Runs a one-shot CLI command against the database: DATABASE_URL, or the
 * embedded database (the running server if `start` is up, else one opened
 * just for this command and closed cleanly afterwards). The embedded database
 * is migrated first, so commands work on a data directory `start` never saw;
 * a real Postgres is migrated only by `start` and `migrate`, as operators expect.
 */
export async function withDatabase<T>(fn: (url: string) => Promise<T>, options: { migrateEmbedded?: boolean } = {}): Promise<T> {
  const db = await resolveDatabase({ dataDir: config.dataDir });
  const previous = process.env.DATABASE_URL;
  process.env.DATABASE_URL = db.url;
  try {
    if (db.kind === "embedded" && options.migrateEmbedded !== false) await migrate({ databaseUrl: db.url, log: () => {} });
    return await fn(db.url);
  } finally {
    const { disconnectPrisma } = await import("@/lib/db/client");
    await disconnectPrisma();
    if (previous === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = previous;
    await db.stop?.();
  }
}
