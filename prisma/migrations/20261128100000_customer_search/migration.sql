-- Customer list at 100k customers per team (lib/customers/list-customers.ts).

-- Sorted pages: ORDER BY <column>, id within a team walks one index.
CREATE INDEX "Customer_teamId_name_id_idx" ON "Customer"("teamId", "name", "id");
CREATE INDEX "Customer_teamId_createdAt_id_idx" ON "Customer"("teamId", "createdAt", "id");
CREATE INDEX "License_teamId_expiresAt_customerId_idx" ON "License"("teamId", "expiresAt", "customerId");
-- The "archived" filter and its count.
CREATE INDEX "Customer_teamId_archivedAt_idx" ON "Customer"("teamId", "archivedAt");

-- Substring search (ILIKE '%q%') on name, email and custom ID uses trigram
-- indexes where pg_trgm is available (any stock PostgreSQL 15). The embedded
-- database may not ship the extension: then the migration still succeeds and
-- search scans the team's rows (license IDs are matched exactly through their
-- unique index either way).
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available (%): customer search will not use trigram indexes', SQLERRM;
END
$$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX "Customer_name_trgm_idx" ON "Customer" USING gin ("name" gin_trgm_ops);
        CREATE INDEX "Customer_email_trgm_idx" ON "Customer" USING gin ("email" gin_trgm_ops);
        CREATE INDEX "Customer_customId_trgm_idx" ON "Customer" USING gin ("customId" gin_trgm_ops);
    END IF;
END
$$;
