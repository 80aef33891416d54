-- Entitlement schema per app (issue 18): the fields a license's entitlements should have.

-- AlterTable
ALTER TABLE "App" ADD COLUMN "entitlementSchema" JSONB NOT NULL DEFAULT '[]';
