import { createCipheriv, createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

/**
 * Builds tiny (or, on request, large) OCI image layouts on disk for tests, so
 * images can be pushed to a real registry with `skopeo copy oci:<dir>:<tag> …`
 * without any network access.
 *
 *   const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "oci-"));
 *   const single = await writeOciImage(dir, { tag: "1.0" });
 *   const big = await writeOciImage(dir, { tag: "big", layers: [{ size: 50 * 1024 * 1024 }] });
 *   const multi = await writeOciIndex(dir, { tag: "multi", platforms: [{ os: "linux", architecture: "amd64" },
 *                                                                   { os: "linux", architecture: "arm64" }] });
 *
 * Each layer is a valid gzipped tar holding one file of pseudo-random bytes
 * (deterministic from `seed`, streamed to disk, so 256 MiB layers do not need
 * 256 MiB of memory). Layers are compressed so that skopeo pushes them as they
 * are: the digests returned here are the digests the registry serves. Every write adds or replaces the tag in the
 * layout's index.json, so one directory can hold several images.
 */

export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const OCI_LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

export type Descriptor = {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
};

export type Platform = { os: string; architecture: string; variant?: string };

export type LayerSpec = {
  /** Bytes of the file inside the tar (the tar itself is slightly larger). Default 1 KiB. */
  size?: number;
  /** Content seed; the same seed and size give the same digest. Default: derived from tag and position. */
  seed?: string;
};

export type ImageOptions = {
  tag: string;
  /** Default: one 1 KiB layer. */
  layers?: LayerSpec[];
  platform?: Platform;
  /** Extra config labels, e.g. to make two images differ. */
  labels?: Record<string, string>;
};

export type WrittenImage = {
  tag: string;
  manifest: Descriptor;
  config: Descriptor;
  layers: Descriptor[];
  /** The exact manifest bytes (their sha256 is manifest.digest). */
  manifestJson: string;
};

export type WrittenIndex = {
  tag: string;
  index: Descriptor;
  images: WrittenImage[];
  indexJson: string;
};

/** `sha256:<hex>` of some bytes: the digest a registry serves them under. */
export function sha256(data: Buffer | string): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

function blobPath(layoutDir: string, digest: string): string {
  return path.join(layoutDir, "blobs", "sha256", digest.slice("sha256:".length));
}

async function ensureLayout(layoutDir: string): Promise<void> {
  await fs.promises.mkdir(path.join(layoutDir, "blobs", "sha256"), { recursive: true });
  await fs.promises.writeFile(path.join(layoutDir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
}

async function writeBlob(layoutDir: string, data: Buffer | string, mediaType: string): Promise<Descriptor> {
  const buf = typeof data === "string" ? Buffer.from(data) : data;
  const digest = sha256(buf);
  await fs.promises.writeFile(blobPath(layoutDir, digest), buf);
  return { mediaType, digest, size: buf.length };
}

function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(512, 0);
  const field = (value: string, offset: number, length: number) => header.write(value, offset, length, "ascii");
  field(name, 0, 100);
  field("0000644\0", 100, 8);
  field("0000000\0", 108, 8);
  field("0000000\0", 116, 8);
  field(size.toString(8).padStart(11, "0") + "\0", 124, 12);
  field("00000000000\0", 136, 12); // mtime 0: reproducible digests
  field("        ", 148, 8); // checksum placeholder
  field("0", 156, 1);
  field("ustar\0", 257, 6);
  field("00", 263, 2);
  let sum = 0;
  for (const byte of header) sum += byte;
  field(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
  return header;
}

type WrittenLayer = Descriptor & { diffId: string };

/** Streams a gzipped one-file tar of `size` pseudo-random bytes into the layout. */
async function writeLayer(layoutDir: string, spec: Required<LayerSpec>): Promise<WrittenLayer> {
  const tmp = path.join(layoutDir, "blobs", `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const tarHash = createHash("sha256");
  const gzHash = createHash("sha256");
  let gzSize = 0;
  const gzip = zlib.createGzip({ level: 1 });
  const out = fs.createWriteStream(tmp);
  gzip.on("data", (chunk: Buffer) => {
    gzHash.update(chunk);
    gzSize += chunk.length;
  });
  const done = new Promise<void>((resolve, reject) => {
    out.on("finish", () => resolve());
    out.on("error", reject);
    gzip.on("error", reject);
  });
  gzip.pipe(out);
  const write = async (chunk: Buffer) => {
    tarHash.update(chunk);
    if (!gzip.write(chunk)) await new Promise<void>((resolve) => gzip.once("drain", () => resolve()));
  };
  await write(tarHeader("data.bin", spec.size));
  // AES-CTR over zeros: fast, deterministic pseudo-random content.
  const key = createHash("sha256").update(spec.seed).digest();
  const stream = createCipheriv("aes-256-ctr", key, Buffer.alloc(16, 0));
  const zeros = Buffer.alloc(1024 * 1024, 0);
  for (let left = spec.size; left > 0; left -= zeros.length) {
    await write(stream.update(left >= zeros.length ? zeros : zeros.subarray(0, left)));
  }
  const pad = (512 - (spec.size % 512)) % 512;
  await write(Buffer.alloc(pad + 1024, 0)); // file padding + end-of-archive blocks
  gzip.end();
  await done;
  const digest = `sha256:${gzHash.digest("hex")}`;
  await fs.promises.rename(tmp, blobPath(layoutDir, digest));
  return { mediaType: OCI_LAYER_TAR_GZIP, digest, size: gzSize, diffId: `sha256:${tarHash.digest("hex")}` };
}

async function buildImage(layoutDir: string, options: ImageOptions): Promise<WrittenImage> {
  const platform = options.platform ?? { os: "linux", architecture: "amd64" };
  const specs = options.layers ?? [{}];
  const written: WrittenLayer[] = [];
  for (const [i, spec] of specs.entries()) {
    written.push(
      await writeLayer(layoutDir, {
        size: spec.size ?? 1024,
        seed: spec.seed ?? `${options.tag}/${platform.os}/${platform.architecture}/${platform.variant ?? ""}/${i}`,
      }),
    );
  }
  const layers: Descriptor[] = written.map(({ diffId: _diffId, ...descriptor }) => descriptor);
  const configJson = JSON.stringify({
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: { Labels: { "test.tag": options.tag, ...options.labels } },
    rootfs: { type: "layers", diff_ids: written.map((l) => l.diffId) },
    history: layers.map(() => ({ created_by: "tests/helpers/oci-image.ts" })),
  });
  const config = await writeBlob(layoutDir, configJson, OCI_CONFIG);
  const manifestJson = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers });
  const manifest = await writeBlob(layoutDir, manifestJson, OCI_MANIFEST);
  return { tag: options.tag, manifest: { ...manifest, platform }, config, layers, manifestJson };
}

async function tagInIndex(layoutDir: string, tag: string, descriptor: Descriptor): Promise<void> {
  const file = path.join(layoutDir, "index.json");
  let index: { schemaVersion: number; manifests: Descriptor[] } = { schemaVersion: 2, manifests: [] };
  try {
    index = JSON.parse(await fs.promises.readFile(file, "utf8"));
  } catch {
    // first image in this layout
  }
  const refName = "org.opencontainers.image.ref.name";
  index.manifests = index.manifests.filter((m) => m.annotations?.[refName] !== tag);
  const { platform: _platform, ...plain } = descriptor;
  index.manifests.push({ ...plain, annotations: { [refName]: tag } });
  await fs.promises.writeFile(file, JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: index.manifests }));
}

/** Writes a single-platform image and tags it in the layout. */
export async function writeOciImage(layoutDir: string, options: ImageOptions): Promise<WrittenImage> {
  await ensureLayout(layoutDir);
  const image = await buildImage(layoutDir, options);
  await tagInIndex(layoutDir, options.tag, image.manifest);
  return image;
}

/** Writes a multi-platform image index (one image per platform) and tags it in the layout. */
export async function writeOciIndex(
  layoutDir: string,
  options: { tag: string; platforms: Platform[]; layers?: LayerSpec[] },
): Promise<WrittenIndex> {
  await ensureLayout(layoutDir);
  const images: WrittenImage[] = [];
  for (const platform of options.platforms) {
    images.push(await buildImage(layoutDir, { tag: options.tag, platform, layers: options.layers }));
  }
  const indexJson = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: images.map((image) => image.manifest),
  });
  const index = await writeBlob(layoutDir, indexJson, OCI_INDEX);
  await tagInIndex(layoutDir, options.tag, index);
  return { tag: options.tag, index, images, indexJson };
}
