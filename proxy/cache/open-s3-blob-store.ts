import type { Logger } from "pino";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { SharedBlobIndex } from "./shared-blob-index";
import { config } from "@/lib/config";
import { loadS3Sdk, parseS3Location, REDIRECT_EXPIRY_SECONDS, S3BlobStore } from "./s3-blob-store";

// Loaded by proxy/main.ts with import() only when PULLGATE_BLOB_STORE is set:
// the AWS SDK stays out of a proxy that does not use it (see tests/proxy/bundle.test.ts).

/** An evicted blob's object outlives the presigned URLs already handed out for it. */
export const SHARED_EVICTION_GRACE_MS = (REDIRECT_EXPIRY_SECONDS + 60) * 1000;

/** The S3 blob store PULLGATE_BLOB_STORE and PULLGATE_S3_* describe (credentials: the AWS SDK's default chain). */
export async function openS3BlobStore(url: string, prisma: PrismaClient, logger?: Logger): Promise<S3BlobStore> {
  const location = parseS3Location(url);
  return new S3BlobStore({
    ...location,
    sdk: await loadS3Sdk(),
    endpoint: config.s3Endpoint,
    region: config.s3Region,
    forcePathStyle: config.s3ForcePathStyle,
    redirect: config.s3Redirect,
    index: new SharedBlobIndex(prisma),
    logger,
  });
}
