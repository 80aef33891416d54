-- Issue 17: one upstream fetch per blob across proxy replicas.

-- CreateTable
CREATE TABLE "BlobFillClaim" (
    "namespace" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "endpoint" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BlobFillClaim_pkey" PRIMARY KEY ("namespace","digest")
);

-- CreateIndex
CREATE INDEX "BlobFillClaim_owner_idx" ON "BlobFillClaim"("owner");
