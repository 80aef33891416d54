import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3Server, S3_TEST_CREDENTIALS, type TestS3Server } from "../../tests/helpers/s3-server";
import { prisma } from "@/lib/db/client";
import { loadS3Sdk, parseS3Location, REDIRECT_EXPIRY_SECONDS, S3BlobStore, type S3Sdk } from "./s3-blob-store";
import { SharedBlobIndex } from "./shared-blob-index";

let s3: TestS3Server;
let store: S3BlobStore;
let sdk: S3Sdk;
const index = new SharedBlobIndex(prisma);
const DIGEST = `sha256:${randomBytes(32).toString("hex")}`;

beforeAll(async () => {
  Object.assign(process.env, S3_TEST_CREDENTIALS);
  s3 = await startS3Server();
  sdk = await loadS3Sdk();
  store = new S3BlobStore({ bucket: s3.bucket, prefix: "unit", endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, redirect: true, sdk, index });
});

afterAll(async () => {
  await store?.close();
  await s3?.stop();
});

function write(destination: ReturnType<S3BlobStore["openDestination"]>, bytes: Buffer): void {
  for (let i = 0; i < bytes.length; i += 256 * 1024) destination.write(bytes.subarray(i, i + 256 * 1024));
}

describe("parseS3Location", () => {
  it("takes s3://bucket/prefix and refuses anything else with a readable message", () => {
    expect(parseS3Location("s3://my-bucket/pullgate/blobs/")).toEqual({ bucket: "my-bucket", prefix: "pullgate/blobs" });
    expect(parseS3Location("s3://my-bucket")).toEqual({ bucket: "my-bucket", prefix: "" });
    expect(() => parseS3Location("https://my-bucket/x")).toThrow(/s3:\/\/<bucket>\/<prefix>/);
    expect(() => parseS3Location("s3://My_Bucket/x")).toThrow(/valid bucket name/);
    expect(() => parseS3Location("s3://bucket/a/../b")).toThrow(/\.\./);
  });
});

describe("S3BlobStore", () => {
  it("keeps nothing under the key until complete(): several parts written, then aborted → no object", async () => {
    const destination = store.openDestination("ns1", DIGEST);
    write(destination, randomBytes(18 * 1024 * 1024));
    // Parts are being uploaded; the object must not exist.
    await new Promise((r) => setTimeout(r, 300));
    expect(await s3.objectSize(store.objectKey("ns1", DIGEST))).toBeNull();
    await destination.abort(new Error("blob digest mismatch"));
    expect(await s3.keys("unit/ns1/")).toEqual([]);
    expect(await store.lease("ns1", DIGEST)).toBeUndefined();
  });

  it("complete() makes the object visible, and records it with its repositories in the index every replica shares", async () => {
    const bytes = randomBytes(6 * 1024 * 1024);
    const destination = store.openDestination("ns2", DIGEST);
    write(destination, bytes);
    await destination.complete({ size: bytes.length, repositories: ["acme/app"], file: "" });
    expect(await s3.objectSize(store.objectKey("ns2", DIGEST))).toBe(bytes.length);
    expect(await index.get("ns2", DIGEST)).toEqual({ size: bytes.length, repositories: ["acme/app"] });
    const other = new S3BlobStore({ bucket: s3.bucket, prefix: "unit", endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, redirect: true, sdk, index: new SharedBlobIndex(prisma) });
    const leased = await other.lease("ns2", DIGEST);
    expect(leased?.size).toBe(bytes.length);
    expect([...leased!.repositories]).toEqual(["acme/app"]);
    // Namespaces are separate: another registry does not see it.
    expect(await other.lease("ns3", DIGEST)).toBeUndefined();
    other.client.destroy();
  });

  it("presigns a GET that signs only the host (so the client's Range goes through) and expires quickly", async () => {
    const url = new URL(await store.presign(store.objectKey("ns2", DIGEST)));
    expect(url.origin).toBe(s3.endpoint);
    expect(url.pathname).toBe(`/${s3.bucket}/${store.objectKey("ns2", DIGEST)}`);
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("host");
    expect(url.searchParams.get("X-Amz-Expires")).toBe(String(REDIRECT_EXPIRY_SECONDS));
    expect(REDIRECT_EXPIRY_SECONDS).toBeLessThanOrEqual(300);
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    expect(url.search).not.toMatch(/checksum/i);
  });

  it("an unreachable store: writes never block the download (the fill is delivered, just not kept)", async () => {
    const down = new S3BlobStore({ bucket: s3.bucket, prefix: "unit", endpoint: "http://127.0.0.1:9", region: "us-east-1", forcePathStyle: true, redirect: true, sdk, index });
    const destination = down.openDestination("ns4", DIGEST);
    let accepted = 0;
    const deadline = Date.now() + 20_000;
    // Far more than any buffer: once the upload failed, write() accepts (discards) instead of asking for a pause forever.
    while (accepted < 64 * 1024 * 1024 && Date.now() < deadline) {
      if (destination.write(Buffer.alloc(1024 * 1024))) accepted += 1024 * 1024;
      else await new Promise<void>((resolve) => destination.onceDrained(resolve));
    }
    expect(accepted).toBe(64 * 1024 * 1024);
    await expect(destination.complete({ size: accepted, repositories: [], file: "" })).rejects.toThrow();
    expect(await down.lease("ns4", DIGEST)).toBeUndefined();
    down.client.destroy();
  }, 30_000);
});
