-- The customer's path (issue 13): pull figures that mean pulls, the image
-- catalog of an app, and the customers' last pull.

-- CreateEnum
CREATE TYPE "PullEventReason" AS ENUM ('expired', 'access_off', 'archived', 'not_in_license', 'wrong_app', 'not_found', 'bad_credentials', 'upstream_error');

-- AlterTable
ALTER TABLE "PullEvent" ADD COLUMN "isPull" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "tag" TEXT,
ADD COLUMN "reason" "PullEventReason";

-- AlterTable
ALTER TABLE "Customer" ADD COLUMN "lastPullAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "AppRepository" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "appId" TEXT NOT NULL,
    "registryId" TEXT NOT NULL,
    "repository" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AppRepository_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UpstreamCatalog" (
    "registryId" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "available" BOOLEAN NOT NULL,
    "repositories" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "truncated" BOOLEAN NOT NULL DEFAULT false,
    "checkedAt" TIMESTAMP(3) NOT NULL,
    "failedAt" TIMESTAMP(3),
    "error" TEXT,

    CONSTRAINT "UpstreamCatalog_pkey" PRIMARY KEY ("registryId")
);

-- CreateTable
CREATE TABLE "UpstreamTagList" (
    "registryId" TEXT NOT NULL,
    "repository" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "truncated" BOOLEAN NOT NULL DEFAULT false,
    "checkedAt" TIMESTAMP(3) NOT NULL,
    "failedAt" TIMESTAMP(3),
    "error" TEXT,

    CONSTRAINT "UpstreamTagList_pkey" PRIMARY KEY ("registryId","repository")
);

-- CreateIndex
CREATE INDEX "Customer_teamId_lastPullAt_id_idx" ON "Customer"("teamId", "lastPullAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "AppRepository_appId_registryId_repository_key" ON "AppRepository"("appId", "registryId", "repository");

-- CreateIndex
CREATE INDEX "AppRepository_teamId_idx" ON "AppRepository"("teamId");

-- CreateIndex
CREATE INDEX "AppRepository_registryId_idx" ON "AppRepository"("registryId");

-- CreateIndex
CREATE INDEX "UpstreamCatalog_teamId_idx" ON "UpstreamCatalog"("teamId");

-- CreateIndex
CREATE INDEX "UpstreamTagList_teamId_idx" ON "UpstreamTagList"("teamId");

-- AddForeignKey
ALTER TABLE "AppRepository" ADD CONSTRAINT "AppRepository_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppRepository" ADD CONSTRAINT "AppRepository_appId_fkey" FOREIGN KEY ("appId") REFERENCES "App"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppRepository" ADD CONSTRAINT "AppRepository_registryId_fkey" FOREIGN KEY ("registryId") REFERENCES "RegistryCredential"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UpstreamCatalog" ADD CONSTRAINT "UpstreamCatalog_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UpstreamCatalog" ADD CONSTRAINT "UpstreamCatalog_registryId_fkey" FOREIGN KEY ("registryId") REFERENCES "RegistryCredential"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UpstreamTagList" ADD CONSTRAINT "UpstreamTagList_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UpstreamTagList" ADD CONSTRAINT "UpstreamTagList_registryId_fkey" FOREIGN KEY ("registryId") REFERENCES "RegistryCredential"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Pulls (a minority of the raw events) are read by team and time (figures,
-- CSV export), by team newest first (the Pulls page) and by customer
-- (versions in use): partial indexes keep them small and cost nothing on the
-- proxy's inserts of blob and token rows.
CREATE INDEX "PullEvent_pulls_teamId_time_idx" ON "PullEvent"("teamId", "time") WHERE "isPull";
CREATE INDEX "PullEvent_pulls_teamId_id_idx" ON "PullEvent"("teamId", "id") WHERE "isPull";
CREATE INDEX "PullEvent_pulls_teamId_customerId_time_idx" ON "PullEvent"("teamId", "customerId", "time") WHERE "isPull";

-- The proxy writes "lastPullAt" in batches; that must not tell every proxy to
-- drop its authorization cache (pullgate_notify_change), so the customer
-- trigger fires only for the columns authorization reads.
DROP TRIGGER "Customer_notify_change" ON "Customer";
CREATE TRIGGER "Customer_notify_change" AFTER INSERT OR DELETE OR UPDATE OF "id", "teamId", "appId", "name", "email", "archivedAt" ON "Customer"
    FOR EACH STATEMENT EXECUTE FUNCTION "pullgate_notify_change"();

-- Events recorded before this migration carry no counting decision. The
-- closest honest reading: a successful manifest GET by tag was a pull of that
-- tag (GETs by digest may be platform manifests of an index: not counted);
-- a missing manifest is not_found, a 5xx an upstream error. Refusals (401/403)
-- cannot tell their reason afterwards and stay raw requests.
UPDATE "PullEvent" SET "isPull" = true, "tag" = "reference"
    WHERE "action" = 'manifest' AND "method" = 'GET' AND "status" < 400 AND "reference" IS NOT NULL AND position(':' in "reference") = 0;
UPDATE "PullEvent" SET "isPull" = true, "reason" = 'not_found'
    WHERE "action" = 'manifest' AND "status" = 404;
UPDATE "PullEvent" SET "isPull" = true, "reason" = 'upstream_error'
    WHERE "action" = 'manifest' AND "status" >= 500;
UPDATE "Customer" c SET "lastPullAt" = p."time"
    FROM (SELECT "customerId", max("time") AS "time" FROM "PullEvent" WHERE "isPull" AND "status" < 400 AND "customerId" IS NOT NULL GROUP BY "customerId") p
    WHERE p."customerId" = c."id";
