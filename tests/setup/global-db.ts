import pg from "pg";
import type { TestProject } from "vitest/node";
import { migrate } from "@/lib/db/migrate";

// Each run gets a fresh database that is created here and dropped at the end.
// The server comes from DATABASE_URL when set, else 127.0.0.1:5432.
export default async function setup(project: TestProject) {
  const base = new URL(process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres");
  const dbName = `pullgate_test_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${dbName}`;
  process.env.DATABASE_URL = url.toString();
  project.provide("databaseUrl", url.toString());
  project.provide("adminDatabaseUrl", base.toString());
  await migrate({ databaseUrl: url.toString(), log: () => {} });

  return async () => {
    const c = new pg.Client({ connectionString: base.toString() });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await c.end();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    adminDatabaseUrl: string;
  }
}
