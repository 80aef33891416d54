-- Custom-domain claims (issue 12): a pending or failed claim no longer
-- blocks other teams. A hostname is unique among verified domains only; a
-- team still holds at most one claim per hostname.

-- DropIndex
DROP INDEX "CustomDomain_hostname_key";

-- DropIndex: covered by the (teamId, hostname) unique index.
DROP INDEX "CustomDomain_teamId_idx";

-- CreateIndex
CREATE UNIQUE INDEX "CustomDomain_teamId_hostname_key" ON "CustomDomain"("teamId", "hostname");

-- CreateIndex
CREATE INDEX "CustomDomain_hostname_idx" ON "CustomDomain"("hostname");

-- CreateIndex: not expressible in schema.prisma (tests/db/schema-drift.ts knows it).
CREATE UNIQUE INDEX "CustomDomain_hostname_verified_key" ON "CustomDomain"("hostname") WHERE "status" = 'verified';
