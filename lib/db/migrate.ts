import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";

// Applies prisma/migrations/<name>/migration.sql in name order without any
// Prisma engine, recording them in `_prisma_migrations` exactly as
// `prisma migrate deploy` does (same table, same sha256 checksums), so a
// machine with the native engine can still run Prisma's own tooling on the
// same database. Differences from Prisma, on purpose: each migration runs in
// a transaction (a failure leaves nothing half-applied), and a migration file
// changed after it was applied stops start-up instead of being ignored.

/** The advisory lock key `prisma migrate` uses, so our runner and Prisma's exclude each other. */
const MIGRATION_LOCK_KEY = 72707369;

const MIGRATIONS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export const DEFAULT_MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../prisma/migrations");

class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationError";
  }
}

type LocalMigration = { name: string; checksum: string; sql: string };
type AppliedRow = { id: string; migration_name: string; checksum: string; finished_at: Date | null; logs: string | null };

export function readMigrations(migrationsDir = DEFAULT_MIGRATIONS_DIR): LocalMigration[] {
  if (!fs.existsSync(migrationsDir)) throw new MigrationError(`Migrations directory not found: ${migrationsDir}`);
  return fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(migrationsDir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const bytes = fs.readFileSync(path.join(migrationsDir, name, "migration.sql"));
      return { name, checksum: createHash("sha256").update(bytes).digest("hex"), sql: bytes.toString("utf8") };
    });
}

export async function migrate(options: {
  databaseUrl: string;
  migrationsDir?: string;
  log?: (message: string) => void;
}): Promise<{ applied: string[] }> {
  const log = options.log ?? ((message: string) => console.log(message));
  const local = readMigrations(options.migrationsDir);
  const client = new pg.Client({ connectionString: options.databaseUrl });
  client.on("error", () => {}); // surfaced by the failing query instead
  await client.connect();
  try {
    // Session-level lock: held across the per-migration transactions below and
    // released when this connection ends, even if the process dies.
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    try {
      await client.query(MIGRATIONS_TABLE_DDL);
      const rows = (
        await client.query<AppliedRow>(
          `SELECT id, migration_name, checksum, finished_at, logs FROM "_prisma_migrations"
           WHERE rolled_back_at IS NULL ORDER BY started_at, migration_name`,
        )
      ).rows;
      assertHealthy(rows, local);

      const done = new Set(rows.filter((r) => r.finished_at).map((r) => r.migration_name));
      const applied: string[] = [];
      for (const migration of local) {
        if (done.has(migration.name)) continue;
        log(`Applying migration ${migration.name}`);
        if (await applyOne(client, migration, local)) applied.push(migration.name);
      }
      if (applied.length === 0) log("Database schema is up to date.");
      return { applied };
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}

function assertHealthy(rows: AppliedRow[], local: LocalMigration[]): void {
  const failed = rows.find((r) => !r.finished_at);
  if (failed) {
    throw new MigrationError(
      `Migration ${failed.migration_name} failed earlier and is recorded as failed in _prisma_migrations` +
        (failed.logs ? ` (${firstLine(failed.logs)})` : "") +
        `. Its changes were rolled back. Fix the migration, then mark the failed attempt as rolled back with ` +
        `\`UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE id = '${failed.id}';\`` +
        ` (or \`prisma migrate resolve --rolled-back ${failed.migration_name}\`) and start again.`,
    );
  }
  const byName = new Map(local.map((m) => [m.name, m]));
  for (const row of rows) {
    const file = byName.get(row.migration_name);
    if (file && file.checksum !== row.checksum) {
      throw new MigrationError(
        `Migration ${row.migration_name} was modified after it was applied (checksum ${row.checksum.slice(0, 12)}… ` +
          `recorded, ${file.checksum.slice(0, 12)}… on disk). Restore the original migration.sql and put the change ` +
          `in a new migration instead.`,
      );
    }
  }
}

async function applyOne(client: pg.Client, migration: LocalMigration, local: LocalMigration[]): Promise<boolean> {
  const id = randomUUID();
  try {
    await client.query("BEGIN");
    // On Postgres the advisory lock already excludes other runners. Embedded
    // PGlite is one shared session where that lock cannot exclude anyone, but
    // its gate runs transactions one at a time: re-reading the state inside
    // this transaction makes the check and the apply one atomic step there.
    const rows = (
      await client.query<AppliedRow>(
        `SELECT id, migration_name, checksum, finished_at, logs FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
      )
    ).rows;
    assertHealthy(rows, local);
    if (rows.some((r) => r.migration_name === migration.name && r.finished_at)) {
      await client.query("ROLLBACK");
      return false;
    }
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), 0)`,
      [id, migration.checksum, migration.name],
    );
    await client.query(migration.sql);
    await client.query(
      `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = applied_steps_count + 1 WHERE id = $1`,
      [id],
    );
    await client.query("COMMIT");
    return true;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    if (err instanceof MigrationError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    // Recorded after the rollback, as Prisma records a failed migration:
    // finished_at stays null and logs says why.
    await client
      .query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs, started_at, applied_steps_count)
         VALUES ($1, $2, $3, $4, now(), 0)`,
        [id, migration.checksum, migration.name, `${message}\n`],
      )
      .catch(() => {});
    throw new MigrationError(
      `Migration ${migration.name} failed and was rolled back (nothing of it was applied): ${message}. ` +
        `It is recorded as failed; fix it and mark it rolled back before starting again.`,
    );
  }
}

function firstLine(text: string): string {
  return text.split("\n")[0]!.slice(0, 300);
}
