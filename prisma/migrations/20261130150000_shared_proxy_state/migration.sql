-- Issue 17: proxy replicas share their cache index, tag answers and
-- failed-login counts in the database (blobs themselves in object storage).

-- CreateTable
CREATE TABLE "CachedBlob" (
    "namespace" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "repositories" TEXT[],
    "storedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastAccessAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "evictingAt" TIMESTAMP(3),

    CONSTRAINT "CachedBlob_pkey" PRIMARY KEY ("namespace","digest")
);

-- CreateTable
CREATE TABLE "CachedTag" (
    "namespace" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "mediaType" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "checkedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CachedTag_pkey" PRIMARY KEY ("namespace","key")
);

-- CreateTable
CREATE TABLE "ProxyAuthFailure" (
    "key" TEXT NOT NULL,
    "failures" INTEGER NOT NULL,
    "lastFailureAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProxyAuthFailure_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "CachedBlob_lastAccessAt_idx" ON "CachedBlob"("lastAccessAt");

-- CreateIndex
CREATE INDEX "ProxyAuthFailure_lastFailureAt_idx" ON "ProxyAuthFailure"("lastFailureAt");
