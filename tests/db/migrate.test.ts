import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULT_MIGRATIONS_DIR, migrate, readMigrations } from "@/lib/db/migrate";
import { createScratchDatabase, query } from "./scratch-database";

const root = path.resolve(import.meta.dirname, "../..");
let db: Awaited<ReturnType<typeof createScratchDatabase>>;
let dir: string;
const quiet = { log: () => {} };

beforeEach(async () => {
  db = await createScratchDatabase(inject("adminDatabaseUrl"));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pullgate-migrations-"));
  fs.cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
});
afterEach(async () => {
  await db.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, "bin/pullgate.mjs"), ...args], { cwd: root, env: { ...process.env, ...env } });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (code) => resolve({ code, out }));
  });
}

function addMigration(name: string, sql: string) {
  fs.mkdirSync(path.join(dir, name));
  fs.writeFileSync(path.join(dir, name, "migration.sql"), sql);
}

describe("migration runner", () => {
  it("records migrations exactly like prisma migrate deploy", async () => {
    const { applied } = await migrate({ databaseUrl: db.url, migrationsDir: dir, ...quiet });
    const local = readMigrations(dir);
    expect(applied).toEqual(local.map((m) => m.name));

    const columns = await query(
      db.url,
      `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
       FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => [c.column_name, c.data_type, c.character_maximum_length, c.is_nullable])).toEqual([
      ["id", "character varying", 36, "NO"],
      ["checksum", "character varying", 64, "NO"],
      ["finished_at", "timestamp with time zone", null, "YES"],
      ["migration_name", "character varying", 255, "NO"],
      ["logs", "text", null, "YES"],
      ["rolled_back_at", "timestamp with time zone", null, "YES"],
      ["started_at", "timestamp with time zone", null, "NO"],
      ["applied_steps_count", "integer", null, "NO"],
    ]);

    const rows = await query(db.url, `SELECT * FROM "_prisma_migrations" ORDER BY migration_name`);
    const first = local[0]!;
    const fileSha = createHash("sha256").update(fs.readFileSync(path.join(dir, first.name, "migration.sql"))).digest("hex");
    expect(rows[0]).toMatchObject({ migration_name: first.name, checksum: fileSha, applied_steps_count: 1, logs: null, rolled_back_at: null });
    expect(rows.every((r) => r.finished_at instanceof Date && /^[0-9a-f-]{36}$/.test(r.id))).toBe(true);

    // Re-running is a no-op.
    expect((await migrate({ databaseUrl: db.url, migrationsDir: dir, ...quiet })).applied).toEqual([]);
    expect(await query(db.url, `SELECT count(*)::int AS n FROM "_prisma_migrations"`)).toEqual([{ n: local.length }]);
  });

  it("lets two `pullgate migrate` processes start at once: both succeed, each migration applied once", async () => {
    const env = { DATABASE_URL: db.url };
    const [a, b] = await Promise.all([runCli(["migrate"], env), runCli(["migrate"], env)]);
    expect(a.code, a.out).toBe(0);
    expect(b.code, b.out).toBe(0);
    const rows = await query(db.url, `SELECT migration_name, finished_at FROM "_prisma_migrations"`);
    const names = readMigrations().map((m) => m.name);
    expect(rows.map((r) => r.migration_name).sort()).toEqual(names);
    expect(rows.every((r) => r.finished_at)).toBe(true);
    expect([a.out, b.out].some((o) => o.includes("No pending migrations."))).toBe(true);
  });

  it("refuses to start when an applied migration file was modified", async () => {
    await migrate({ databaseUrl: db.url, migrationsDir: dir, ...quiet });
    const name = readMigrations(dir)[0]!.name;
    fs.appendFileSync(path.join(dir, name, "migration.sql"), "\n-- edited later\n");
    await expect(migrate({ databaseUrl: db.url, migrationsDir: dir, ...quiet })).rejects.toThrow(
      new RegExp(`Migration ${name} was modified after it was applied \\(checksum [0-9a-f]{12}`),
    );
  });

  it("rolls a failing migration back completely, records it as failed and refuses until resolved", async () => {
    await migrate({ databaseUrl: db.url, migrationsDir: dir, ...quiet });
    addMigration("29991231000000_broken", `CREATE TABLE "HalfDone" ("id" TEXT);\nALTER TABLE "NoSuchTable" ADD COLUMN "x" INTEGER;\n`);

    await expect(migrate({ databaseUrl: db.url, migrationsDir: dir, ...quiet })).rejects.toThrow(
      /Migration 29991231000000_broken failed and was rolled back.*relation "NoSuchTable" does not exist/,
    );
    expect(await query(db.url, `SELECT to_regclass('"HalfDone"') AS t`)).toEqual([{ t: null }]);
    const [failed] = await query(db.url, `SELECT * FROM "_prisma_migrations" WHERE migration_name = '29991231000000_broken'`);
    expect(failed).toMatchObject({ finished_at: null, rolled_back_at: null, applied_steps_count: 0 });
    expect(failed!.logs).toContain("NoSuchTable");

    // Start-up refuses while a failed migration is recorded, and says how to resolve it.
    await expect(migrate({ databaseUrl: db.url, migrationsDir: dir, ...quiet })).rejects.toThrow(
      /29991231000000_broken failed earlier.*rolled_back_at = now\(\)/,
    );

    // Resolve as the message says, fix the file: it applies.
    await query(db.url, `UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE id = $1`, [failed!.id]);
    fs.writeFileSync(path.join(dir, "29991231000000_broken", "migration.sql"), `CREATE TABLE "HalfDone" ("id" TEXT);\n`);
    expect((await migrate({ databaseUrl: db.url, migrationsDir: dir, ...quiet })).applied).toEqual(["29991231000000_broken"]);
  });
});
