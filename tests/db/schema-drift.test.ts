import { describe, expect, inject, it } from "vitest";
import path from "node:path";
import { migrate } from "@/lib/db/migrate";
import { getDmmf } from "./prisma-dmmf";
import { findSchemaDrift } from "./schema-drift";
import { createScratchDatabase, query } from "./scratch-database";

const schemaPath = path.resolve(import.meta.dirname, "../../prisma/schema.prisma");

describe("migrations and schema.prisma", () => {
  const dmmf = getDmmf(schemaPath);

  it("agree: the migrated database has exactly the schema's tables, columns, enums, keys and indexes", async () => {
    const problems = await findSchemaDrift(dmmf, inject("databaseUrl"));
    expect(problems, "Add a migration in prisma/migrations for these schema changes").toEqual([]);
  });

  it("the comparison notices a missing column, a wrong type, a lost unique or partial unique index and an unknown table", async () => {
    const db = await createScratchDatabase(inject("adminDatabaseUrl"));
    try {
      await migrate({ databaseUrl: db.url, log: () => {} });
      await query(db.url, `ALTER TABLE "Customer" DROP COLUMN "channel"`);
      await query(db.url, `ALTER TABLE "PullEvent" ALTER COLUMN "status" TYPE bigint`);
      await query(db.url, `DROP INDEX "App_slug_key"`);
      await query(db.url, `DROP INDEX "CustomDomain_hostname_verified_key"`);
      await query(db.url, `CREATE TABLE "Stray" ("id" TEXT PRIMARY KEY)`);
      const problems = await findSchemaDrift(dmmf, db.url);
      expect(problems).toEqual(
        expect.arrayContaining([
          "column Customer.channel is missing",
          "column PullEvent.status is bigint, the schema says integer",
          "index App(slug) unique is missing",
          `index CustomDomain(hostname) unique where (status = 'verified'::"DomainStatus") is missing`,
          "table Stray exists but is not in the schema",
        ]),
      );
    } finally {
      await db.drop();
    }
  });
});
