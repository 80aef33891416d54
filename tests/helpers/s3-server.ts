import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { freePort } from "./registry";

/**
 * A local S3-compatible server (s3rver) on a loopback port with one bucket, for
 * tests of PULLGATE_BLOB_STORE=s3://…:
 *
 *   const s3 = await startS3Server();
 *   startProxyProcess({ ...s3.proxyEnv("blobs"), ... });
 *   await s3.objectSize("blobs/<registryId>/sha256/<hex>")   // null when there is no object
 *
 * s3rver accepts any credentials and does not check signatures (so expiry and
 * signature are proven by the presigner's own output, not here).
 */
export type TestS3Server = {
  endpoint: string;
  bucket: string;
  client: S3Client;
  /** Environment for a proxy using this bucket under `prefix`. */
  proxyEnv(prefix: string, extra?: Record<string, string>): Record<string, string>;
  /** Size of an object, or null when there is none. */
  objectSize(key: string): Promise<number | null>;
  /** Every key under a prefix. */
  keys(prefix: string): Promise<string[]>;
  stop(): Promise<void>;
};

export const S3_TEST_CREDENTIALS = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" };

export async function startS3Server(bucket = "pullgate-test"): Promise<TestS3Server> {
  const directory = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-s3-"));
  const port = await freePort();
  const server = new S3rver({ address: "127.0.0.1", port, silent: true, directory, configureBuckets: [{ name: bucket }] });
  await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: S3_TEST_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: S3_TEST_CREDENTIALS.AWS_SECRET_ACCESS_KEY },
  });
  return {
    endpoint,
    bucket,
    client,
    proxyEnv: (prefix, extra = {}) => ({
      PULLGATE_BLOB_STORE: `s3://${bucket}/${prefix}`,
      PULLGATE_S3_ENDPOINT: endpoint,
      PULLGATE_S3_REGION: "us-east-1",
      PULLGATE_S3_FORCE_PATH_STYLE: "1",
      ...S3_TEST_CREDENTIALS,
      ...extra,
    }),
    objectSize: async (key) => {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return Number(head.ContentLength);
      } catch (err) {
        if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null;
        throw err;
      }
    },
    keys: async (prefix) => {
      const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (out.Contents ?? []).map((c) => c.Key!);
    },
    stop: async () => {
      client.destroy();
      await server.close();
      await fs.promises.rm(directory, { recursive: true, force: true });
    },
  };
}
