import type { TestProject } from "vitest/node";
import { migrate } from "@/lib/db/migrate";
import { createScratchDatabase } from "../db/scratch-database";

// Each run gets a fresh database that is created here and dropped at the end.
// The server comes from DATABASE_URL when set, else 127.0.0.1:5432.
export default async function setup(project: TestProject) {
  const base = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
  const scratch = await createScratchDatabase(base);
  process.env.DATABASE_URL = scratch.url;
  project.provide("databaseUrl", scratch.url);
  project.provide("adminDatabaseUrl", base);
  await migrate({ databaseUrl: scratch.url, log: () => {} });
  return () => scratch.drop();
}

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    adminDatabaseUrl: string;
  }
}
