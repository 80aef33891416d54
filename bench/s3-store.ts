import { execFile } from "node:child_process";
import { createBenchDatabase } from "./bench-database";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { migrate } from "@/lib/db/migrate";
import { startRegistry } from "../tests/helpers/registry";
import { writeOciImage } from "../tests/helpers/oci-image";
import { startProxyProcess } from "../tests/helpers/proxy-process";
import { startS3Server } from "../tests/helpers/s3-server";
import type { BenchRow } from "./proxy-cache";

// The S3 blob store (PULLGATE_BLOB_STORE=s3://…) in the same run: a warm blob
// straight from the upstream registry, through the proxy's 307 to a presigned
// GET (curl -L, license check included), and streamed by the proxy from the
// bucket (PULLGATE_S3_REDIRECT=0). The bucket is s3rver on loopback, so the
// redirect figure is bounded by s3rver's own speed, not by S3's.
//   node --import tsx bench/s3-store.ts [--blob-mib 64]

const run = promisify(execFile);
const MiB = 1024 * 1024;

export type S3StoreReport = { bench: "s3-store"; blobMiB: number; rows: BenchRow[]; notes: string[]; durationSeconds: number };

async function curlMiBps(url: string, headers: string[], expectedSize: number, follow: boolean): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const args = ["-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download} %{time_total}", ...(follow ? ["-L"] : [])];
    for (const h of headers) args.push("-H", h);
    const { stdout } = await run("curl", [...args, url]);
    const [code, size, seconds] = stdout.trim().split(" ");
    if (code !== "200" || Number(size) !== expectedSize) throw new Error(`curl ${url}: HTTP ${code}, ${size} of ${expectedSize} bytes`);
    runs.push(Number(size) / MiB / Number(seconds));
  }
  return Math.round(runs.sort((a, b) => a - b)[1]! * 10) / 10;
}

export async function benchS3Store(options: { blobMiB?: number; log?: (line: string) => void } = {}): Promise<S3StoreReport> {
  const blobMiB = options.blobMiB ?? 256;
  const log = options.log ?? ((line: string) => console.error(line));
  const started = Date.now();
  const cleanup: (() => Promise<unknown>)[] = [];
  const work = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-bench-s3-"));
  const dbUrl = new URL(await createBenchDatabase("pullgate_bench_s3", cleanup));
  try {
    await migrate({ databaseUrl: dbUrl.toString(), log: () => {} });
    process.env.DATABASE_URL = dbUrl.toString();
    process.env.PULLGATE_SECRET_KEY ||= randomBytes(32).toString("base64");
    const { prisma } = await import("@/lib/db/client");
    cleanup.push(() => prisma.$disconnect());

    log(`s3 store: writing a ${blobMiB} MiB layer…`);
    const layout = path.join(work, "layout");
    const image = await writeOciImage(layout, { tag: "big", layers: [{ size: blobMiB * MiB, seed: `bench-s3-${randomBytes(4).toString("hex")}` }] });
    const layer = image.layers[0]!;
    const upstream = await startRegistry({ auth: "none" });
    cleanup.push(() => upstream.stop());
    await upstream.push(layout, "big", "acme/big:1.0");
    const s3 = await startS3Server();
    cleanup.push(() => s3.stop());

    const { createVendor } = await import("@/lib/teams/create-vendor");
    const { createApp } = await import("@/lib/apps/create-app");
    const { createCustomer } = await import("@/lib/customers/create-customer");
    const { encryptSecret } = await import("@/lib/secrets/crypto");
    const suffix = randomBytes(3).toString("hex");
    const { user, team } = await createVendor({ email: `bench-s3-${suffix}@example.com`, password: "correct horse battery", teamName: "Bench S3" });
    const actor = { teamId: team.id, userId: user.id, tokenId: null, role: "owner" as const, label: user.email };
    const app = await createApp(actor, { name: "Bench S3", slug: `bench-s3-${suffix}` });
    const sealed = encryptSecret("");
    await prisma.registryCredential.create({
      data: { teamId: team.id, provider: "other", endpoint: upstream.host, name: "up", username: "", secretCiphertext: sealed.ciphertext, secretKeyVersion: sealed.keyVersion, allowHttp: true, allApps: true },
    });
    const customer = await createCustomer(actor, { appId: app.id, name: "bench", email: `c-${suffix}@example.com` });
    const auth = `Authorization: Basic ${Buffer.from(`LICENSE_ID:${customer.license.licenseId}`).toString("base64")}`;

    const env = { DATABASE_URL: dbUrl.toString(), PULLGATE_SECRET_KEY: process.env.PULLGATE_SECRET_KEY, PULLGATE_DOMAIN_CHECK_INTERVAL: "0", LOG_LEVEL: "warn" };
    const redirecting = await startProxyProcess({ ...env, ...s3.proxyEnv("bench") });
    cleanup.push(() => redirecting.stop());
    const streaming = await startProxyProcess({ ...env, ...s3.proxyEnv("bench", { PULLGATE_S3_REDIRECT: "0" }) });
    cleanup.push(() => streaming.stop());

    const direct = `${upstream.url}/v2/acme/big/blobs/${layer.digest}`;
    const viaRedirect = `${redirecting.url}/v2/proxy/${app.slug}/up/acme/big/blobs/${layer.digest}`;
    const viaStream = `${streaming.url}/v2/proxy/${app.slug}/up/acme/big/blobs/${layer.digest}`;
    log("s3 store: cold fill into the bucket…");
    await curlMiBps(viaRedirect, [auth], layer.size, true); // the first of three is the cold fill
    for (let i = 0; i < 100 && (await prisma.cachedBlob.count({ where: { digest: layer.digest } })) === 0; i++) await new Promise((r) => setTimeout(r, 100));

    log("s3 store: warm pulls…");
    const upstreamMiBps = await curlMiBps(direct, [], layer.size, false);
    const redirectMiBps = await curlMiBps(viaRedirect, [auth], layer.size, true);
    const streamMiBps = await curlMiBps(viaStream, [auth], layer.size, false);
    const rows: BenchRow[] = [
      { figure: "warm blob, S3 store", system: "upstream direct (Distribution)", value: upstreamMiBps, unit: "MiB/s" },
      { figure: "warm blob, S3 store", system: "Pullgate 307 → presigned GET (s3rver)", value: redirectMiBps, unit: "MiB/s", ratio: Math.round((redirectMiBps / upstreamMiBps) * 100) / 100 },
      { figure: "warm blob, S3 store", system: "Pullgate streaming from the bucket (PULLGATE_S3_REDIRECT=0)", value: streamMiBps, unit: "MiB/s", ratio: Math.round((streamMiBps / upstreamMiBps) * 100) / 100 },
    ];
    const notes = [
      "S3 store: median of 3 curl downloads each; the redirect row includes the license check and the 307, then the bytes come from s3rver (a Node test server), so it measures s3rver here, not S3.",
    ];
    return { bench: "s3-store", blobMiB, rows, notes, durationSeconds: Math.round((Date.now() - started) / 1000) };
  } finally {
    for (const step of cleanup.reverse()) await step().catch(() => {});
    await fs.promises.rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf("--blob-mib");
  benchS3Store({ blobMiB: i > 0 ? Number(process.argv[i + 1]) : undefined }).then(
    (report) => {
      console.log(JSON.stringify(report, null, 2));
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
