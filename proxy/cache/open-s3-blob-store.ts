import type { Logger } from "pino";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { SharedBlobIndex } from "./shared-blob-index";
import { config } from "@/lib/config";
import { parseS3Location, S3BlobStore } from "./s3-blob-store";

/** The S3 blob store PULLGATE_BLOB_STORE and PULLGATE_S3_* describe (credentials: the AWS SDK's default chain). */
export function openS3BlobStore(url: string, prisma: PrismaClient, logger?: Logger): S3BlobStore {
  return new S3BlobStore({
    ...parseS3Location(url),
    endpoint: config.s3Endpoint,
    region: config.s3Region,
    forcePathStyle: config.s3ForcePathStyle,
    redirect: config.s3Redirect,
    index: new SharedBlobIndex(prisma),
    logger,
  });
}
