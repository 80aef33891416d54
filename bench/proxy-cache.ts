import { execFile } from "node:child_process";
import { createBenchDatabase } from "./bench-database";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { migrate } from "@/lib/db/migrate";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { startRegistry, type TestRegistry } from "../tests/helpers/registry";
import { writeOciImage, type WrittenImage } from "../tests/helpers/oci-image";
import { startProxyProcess, type ProxyProcess } from "../tests/helpers/proxy-process";
import { NGINX_BINARY, startNginx, type TestNginx } from "../tests/helpers/nginx";
import { bundleProxy } from "../cli/proxy-bundle";
import { offloadKey } from "../proxy/cache/offload";
import { parseMasterKey } from "@/lib/secrets/master-key";

// Pullgate's cache against Distribution on the same loopback, in one run:
//   upstream  — Debian's docker-registry serving directly (unauthenticated, access log on);
//   dist-proxy — a second docker-registry in proxy mode (proxy.remoteurl → upstream);
//   pullgate  — the proxy process as `pullgate start` runs it (the bundle), license auth on every request;
//   pullgate + nginx — the recommended deployment: nginx (`pullgate nginx-config`) in front,
//              warm blobs sent by nginx (PULLGATE_OFFLOAD=nginx).
// Clients are curl (blobs) and wrk (manifests), so the Node client is not what is measured.
//   node --import tsx bench/proxy-cache.ts [--blob-mib 256] [--rss-clients 64]

const run = promisify(execFile);
const MiB = 1024 * 1024;
const MANIFEST_ACCEPT =
  "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";

export type BenchRow = {
  figure: string;
  system: string;
  value: number;
  unit: string;
  /** e.g. "≥ 0.9× upstream direct" */
  target?: string;
  ratio?: number;
  pass?: boolean;
};

export type ProxyCacheReport = {
  bench: "proxy-cache";
  blobMiB: number;
  rssClients: number;
  rssBytesPerClientMiB: number;
  rows: BenchRow[];
  notes: string[];
  durationSeconds: number;
};

type Options = { blobMiB?: number; rssClients?: number; wrkSeconds?: number; log?: (line: string) => void };

export async function benchProxyCache(options: Options = {}): Promise<ProxyCacheReport> {
  const blobMiB = options.blobMiB ?? 256;
  const rssClients = options.rssClients ?? 64;
  const wrkSeconds = options.wrkSeconds ?? 8;
  const log = options.log ?? ((line: string) => console.error(line));
  await requireTools();
  const started = Date.now();
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const work = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-bench-cache-"));
  const cleanup: (() => Promise<unknown>)[] = [];
  // Our database is set for this bench only; benches that run after ours read DATABASE_URL too.
  const previousDatabaseUrl = process.env.DATABASE_URL;
  cleanup.push(async () => {
    if (previousDatabaseUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = previousDatabaseUrl;
  });

  const dbUrl = new URL(await createBenchDatabase("pullgate_bench_cache", cleanup));

  try {
    await migrate({ databaseUrl: dbUrl.toString(), log: () => {} });
    process.env.DATABASE_URL = dbUrl.toString();
    process.env.PULLGATE_SECRET_KEY ||= randomBytes(32).toString("base64");
    const { prisma } = await import("@/lib/db/client");
    cleanup.push(() => prisma.$disconnect());

    log(`writing a ${blobMiB} MiB incompressible layer and a small image…`);
    const layout = path.join(work, "layout");
    const big = await writeOciImage(layout, { tag: "big", layers: [{ size: blobMiB * MiB, seed: `bench-${randomBytes(4).toString("hex")}` }] });
    const small = await writeOciImage(layout, { tag: "small" });
    // Eight different layers for the "8 cold blobs at once" row, an eighth of the big one each.
    const eight = await writeOciImage(layout, {
      tag: "eight",
      layers: Array.from({ length: 8 }, (_, i) => ({ size: Math.max(1, Math.round((blobMiB * MiB) / 8)), seed: `bench-eight-${i}-${randomBytes(4).toString("hex")}` })),
    });
    const bigLayer = big.layers[0]!;

    const upstream = await startRegistry({ auth: "none", accessLog: true });
    cleanup.push(() => upstream.stop());
    await upstream.push(layout, "big", "acme/big:1.0");
    await upstream.push(layout, "small", "acme/small:1.0");
    await upstream.push(layout, "eight", "acme/eight:1.0");
    // The same big layer behind HTTPS, as vendors' registries are (TLS records, not large reads, reach the proxy).
    const tlsUpstream = await startRegistry({ auth: "none", tls: true });
    cleanup.push(() => tlsUpstream.stop());
    await tlsUpstream.push(layout, "big", "acme/big:1.0");
    await fs.promises.rm(layout, { recursive: true, force: true });

    // Vendor, app, customer, and one linked registry per cold scenario (each alias is its own cache namespace).
    const { createVendor } = await import("@/lib/teams/create-vendor");
    const { createApp } = await import("@/lib/apps/create-app");
    const { createCustomer } = await import("@/lib/customers/create-customer");
    const { encryptSecret } = await import("@/lib/secrets/crypto");
    const suffix = randomBytes(3).toString("hex");
    const { user, team } = await createVendor({ email: `bench-${suffix}@example.com`, password: "correct horse battery", teamName: "Bench" });
    const actor = { teamId: team.id, userId: user.id, tokenId: null, role: "owner" as const, label: user.email };
    const app = await createApp(actor, { name: "Bench", slug: `bench-${suffix}` });
    const sealed = encryptSecret("");
    const namespaces: Record<string, string> = {};
    const ttfbSamples = 21;
    const ttfbAliases = Array.from({ length: ttfbSamples }, (_, i) => `ttfb${i}`);
    const eightAliases = ["eight3", "eight2", "eight"];
    const singleAliases = ["single5", "single4", "single3", "single2", "single"];
    const tlsAliases = ["tls3", "tls2", "tls"];
    for (const alias of [...singleAliases, ...ttfbAliases, ...eightAliases, ...tlsAliases, "sixteen", "rss", "offload"]) {
      // allowHttp also accepts the HTTPS upstream's self-signed certificate.
      const endpoint = tlsAliases.includes(alias) ? tlsUpstream.host : upstream.host;
      namespaces[alias] = (await prisma.registryCredential.create({
        data: { teamId: team.id, provider: "other", endpoint, name: alias, username: "", secretCiphertext: sealed.ciphertext, secretKeyVersion: sealed.keyVersion, allowHttp: true, allApps: true },
      })).id;
    }
    const customer = await createCustomer(actor, { appId: app.id, name: "Bench customer" });
    const licenseId = customer.license.licenseId;
    const basic = `Basic ${Buffer.from(`LICENSE_ID:${licenseId}`).toString("base64")}`;

    // The proxy as production runs it: the esbuild bundle `npm run build` / `pullgate start` write.
    const proxyEntry = (await bundleProxy(path.join(".tmp", `bench-proxy-${process.pid}`, "main.mjs"))).outfile;
    cleanup.push(() => fs.promises.rm(path.dirname(proxyEntry), { recursive: true, force: true }));
    const cacheDir = path.join(work, "pullgate-cache");
    const proxyEnv = { DATABASE_URL: dbUrl.toString(), PULLGATE_SECRET_KEY: process.env.PULLGATE_SECRET_KEY!, PULLGATE_CACHE_DIR: cacheDir, LOG_LEVEL: "warn" };
    let proxy: ProxyProcess = await startProxyProcess(proxyEnv, { entry: proxyEntry });
    cleanup.push(() => proxy.stop());
    const pgBlob = (alias: string) => `${proxy.url}/v2/proxy/${app.slug}/${alias}/acme/big/blobs/${bigLayer.digest}`;
    const authHeaders = [`Authorization: ${basic}`];

    // --- single stream -------------------------------------------------------------------
    log("single stream: upstream direct, Distribution proxy cold/warm, Pullgate cold/warm…");
    const direct = await curlOnce(`${upstream.url}/v2/acme/big/blobs/${bigLayer.digest}`, [], bigLayer.size);
    await curlOnce(`${upstream.url}/v2/acme/big/blobs/${bigLayer.digest}`, [], bigLayer.size); // page cache warm for all
    const directWarm = await curlMedian(`${upstream.url}/v2/acme/big/blobs/${bigLayer.digest}`, [], bigLayer.size);
    // Cold is one transfer per sample, and one sample swings by a third on this kind of machine: five
    // cold pulls each, taken in turns (Distribution, Pullgate, …), every one into an empty cache (a fresh
    // Distribution, a Pullgate namespace of its own); the medians are compared.
    const coldPullsInTurns = async (aliases: string[], remote: TestRegistry) => {
      const samples = { dist: [] as number[], pg: [] as number[], distCpu: [] as number[], pgCpu: [] as number[] };
      let dist: TestRegistry | null = null;
      for (const alias of aliases) {
        await dist?.stop();
        dist = await startRegistry({ auth: "none", proxyRemoteUrl: remote.url, trustPem: remote.caPem });
        cleanup.push(() => dist!.stop());
        const distCpuBefore = cpuSecondsOf(dist.pid()!);
        samples.dist.push(await curlOnce(`${dist.url}/v2/acme/big/blobs/${bigLayer.digest}`, [], bigLayer.size));
        // Distribution writes its storage from a second upstream download after (or while) it serves the client: counted too.
        await waitForDistributionCache(dist, bigLayer);
        samples.distCpu.push(cpuSecondsOf(dist.pid()!) - distCpuBefore);
        const cpuBeforeCold = cpuSecondsOf(proxy.child.pid!);
        samples.pg.push(await curlOnce(pgBlob(alias), authHeaders, bigLayer.size));
        await waitForFile(path.join(cacheDir, namespaces[alias]!, "sha256", bigLayer.digest.slice(7)), bigLayer.size); // committed (fsync + rename)
        samples.pgCpu.push(cpuSecondsOf(proxy.child.pid!) - cpuBeforeCold);
      }
      // The last Distribution stays running (the plain one serves the warm and manifest figures).
      return { ...samples, lastDistribution: dist! };
    };
    const { dist: distColds, pg: pgColds, distCpu: distColdCpus, pgCpu: pgColdCpus, lastDistribution: distSingle } = await coldPullsInTurns(singleAliases, upstream);
    const distCold = median(distColds);
    const pgCold = median(pgColds);
    const distColdCpu = median(distColdCpus);
    const pgColdCpu = median(pgColdCpus);
    notes.push(`Cold single stream, five samples each in turns: Distribution ${distColds.join(", ")} MiB/s; Pullgate ${pgColds.join(", ")} MiB/s (medians compared).`);
    const distWarm = await curlMedian(`${distSingle.url}/v2/acme/big/blobs/${bigLayer.digest}`, [], bigLayer.size);
    // Cold pulls write the cache with O_DIRECT (proxy/cache/direct-writer.ts), so the first read after one
    // comes from the disk: reported on its own, then warm is measured from the page cache, as Distribution's
    // storage (written through it) is.
    const pgFirstRead = await curlOnce(pgBlob("single"), authHeaders, bigLayer.size);
    const pgWarm = await curlMedian(pgBlob("single"), authHeaders, bigLayer.size);
    notes.push(`Warm: after one read that brings the file into the page cache (Pullgate's cold pulls write past it); that first read: ${pgFirstRead} MiB/s.`);
    const directMiBs = Math.max(direct, directWarm);
    rows.push({ figure: "single-stream blob", system: "upstream direct", value: directMiBs, unit: "MiB/s" });
    rows.push({ figure: "single-stream blob", system: "Distribution proxy cold", value: distCold, unit: "MiB/s" });
    rows.push({ figure: "single-stream blob", system: "Distribution proxy warm", value: distWarm, unit: "MiB/s" });
    rows.push(withTarget({ figure: "single-stream blob", system: "Pullgate cold", value: pgCold, unit: "MiB/s" }, pgCold / distCold, 1.0, "≥ 1.0× Distribution proxy cold"));
    rows.push({ figure: "single-stream blob", system: "Pullgate cold vs upstream direct", value: pgCold, unit: "MiB/s", target: "long-term ≥ 0.9× direct", ratio: round(pgCold / directMiBs, 2) });
    const gib = bigLayer.size / 2 ** 30;
    rows.push({ figure: "CPU per cold GiB", system: "Distribution proxy (its process)", value: round(distColdCpu / gib, 2), unit: "CPU s/GiB" });
    rows.push({ figure: "CPU per cold GiB", system: "Pullgate (its process, all threads)", value: round(pgColdCpu / gib, 2), unit: "CPU s/GiB" });

    // --- single stream from an HTTPS upstream ------------------------------------------------
    log("single stream from an HTTPS upstream: direct, Distribution proxy cold, Pullgate cold…");
    const tlsBlob = `${tlsUpstream.url}/v2/acme/big/blobs/${bigLayer.digest}`;
    await curlOnce(tlsBlob, [], bigLayer.size, ["-k"]); // page cache warm
    const tlsDirect = await curlMedian(tlsBlob, [], bigLayer.size, ["-k"]);
    const { dist: tlsDistColds, pg: tlsPgColds, lastDistribution: tlsDistribution } = await coldPullsInTurns(tlsAliases, tlsUpstream);
    await tlsDistribution.stop();
    const tlsDistCold = median(tlsDistColds);
    const tlsPgCold = median(tlsPgColds);
    rows.push({ figure: "single-stream blob, HTTPS upstream", system: "upstream direct", value: tlsDirect, unit: "MiB/s" });
    rows.push({ figure: "single-stream blob, HTTPS upstream", system: "Distribution proxy cold", value: tlsDistCold, unit: "MiB/s" });
    rows.push(withTarget({ figure: "single-stream blob, HTTPS upstream", system: "Pullgate cold", value: tlsPgCold, unit: "MiB/s" }, tlsPgCold / tlsDistCold, 1.0, "≥ 1.0× Distribution proxy cold"));
    notes.push(`Cold single stream from an HTTPS upstream (self-signed, trusted by both proxies), three samples each in turns: Distribution ${tlsDistColds.join(", ")} MiB/s; Pullgate ${tlsPgColds.join(", ")} MiB/s (medians compared).`);

    // --- time to first byte of a cold blob -----------------------------------------------------
    // As a client pulls: the manifest first (the registry's client and scheme are known by then), then the blob.
    // Distribution's own time to first byte swings from 2 to 30 ms here: 21 samples each, taken in turns.
    log(`time to first byte: upstream direct vs cold Pullgate blobs, ${ttfbSamples} each…`);
    const directTtfbs: number[] = [];
    const pgTtfbs: number[] = [];
    for (const [i, alias] of ttfbAliases.entries()) {
      const layer = eight.layers[i % eight.layers.length]!;
      directTtfbs.push((await curlTimed(`${upstream.url}/v2/acme/eight/blobs/${layer.digest}`, [], layer.size)).ttfbMs);
      await curlOnce(`${proxy.url}/v2/proxy/${app.slug}/${alias}/acme/eight/manifests/1.0`, [...authHeaders, `Accept: ${MANIFEST_ACCEPT}`], eight.manifest.size);
      pgTtfbs.push((await curlTimed(`${proxy.url}/v2/proxy/${app.slug}/${alias}/acme/eight/blobs/${layer.digest}`, authHeaders, layer.size)).ttfbMs);
    }
    const directTtfb = median(directTtfbs);
    const pgTtfb = median(pgTtfbs);
    rows.push({ figure: "cold blob time to first byte", system: `upstream direct (median of ${ttfbSamples})`, value: directTtfb, unit: "ms" });
    rows.push(withTarget({ figure: "cold blob time to first byte", system: `Pullgate cold (median of ${ttfbSamples})`, value: pgTtfb, unit: "ms" }, pgTtfb - directTtfb, 5, `≤ upstream + 5 ms (${round(directTtfb + 5, 1)} ms)`, (v) => v <= directTtfb + 5));
    notes.push(`Time to first byte: ${ttfbSamples} samples of ${round(eight.layers[0]!.size / MiB)} MiB layers, each cold in a registry namespace of its own whose manifest was fetched first (as a client pulls), in turns with the upstream; upstream ${directTtfbs.join(", ")} ms, Pullgate ${pgTtfbs.join(", ")} ms.`);

    // --- 8 different cold blobs at once -------------------------------------------------------
    // Three runs each in turns, every one into an empty cache, like the single stream. Each waits until
    // the last run's copies are stored: Distribution fills its storage from second downloads after its
    // clients are served, and that work must not land on the next run of the other.
    log("8 different cold blobs at once: Distribution proxy, Pullgate, 3 runs each…");
    const eightBytes = eight.layers.reduce((n, l) => n + l.size, 0);
    const distEights: number[] = [];
    const pgEights: number[] = [];
    let eightFailures = 0;
    for (const alias of eightAliases) {
      const distEight = await startRegistry({ auth: "none", proxyRemoteUrl: upstream.url });
      cleanup.push(() => distEight.stop());
      const distRun = await curlEach(eight.layers.map((l) => ({ url: `${distEight.url}/v2/acme/eight/blobs/${l.digest}`, size: l.size })), []);
      for (const layer of eight.layers) await waitForDistributionCache(distEight, layer);
      await distEight.stop();
      const pgRun = await curlEach(eight.layers.map((l) => ({ url: `${proxy.url}/v2/proxy/${app.slug}/${alias}/acme/eight/blobs/${l.digest}`, size: l.size })), authHeaders);
      for (const layer of eight.layers) await waitForFile(path.join(cacheDir, namespaces[alias]!, "sha256", layer.digest.slice(7)), layer.size);
      distEights.push(distRun.mibps);
      pgEights.push(pgRun.mibps);
      eightFailures += distRun.failures + pgRun.failures;
    }
    const distEight = median(distEights);
    const pgEight = median(pgEights);
    rows.push({ figure: "8 different cold blobs at once", system: "Distribution proxy", value: distEight, unit: "MiB/s aggregate" });
    rows.push(withTarget({ figure: "8 different cold blobs at once", system: "Pullgate", value: pgEight, unit: "MiB/s aggregate" }, pgEight / distEight, 1.0, "≥ 1.0× Distribution proxy"));
    notes.push(`8 cold blobs: ${eight.layers.length} layers of ${round(eightBytes / eight.layers.length / MiB)} MiB each, one curl per layer, all started together; three runs each in turns, each waiting until the last run's copies were stored: Distribution ${distEights.join(", ")} MiB/s, Pullgate ${pgEights.join(", ")} MiB/s (medians compared).`);
    if (eightFailures) notes.push(`8-blob runs: ${eightFailures} transfers were incomplete.`);
    rows.push({ figure: "single-stream blob", system: "Pullgate, first read after the cold pull (disk)", value: pgFirstRead, unit: "MiB/s" });
    rows.push(withTarget({ figure: "single-stream blob", system: "Pullgate warm", value: pgWarm, unit: "MiB/s" }, pgWarm / distWarm, 1.0, "≥ 1.0× Distribution proxy warm"));
    rows.push(withTarget({ figure: "issue 5: direct vs proxy blob", system: "Pullgate warm vs upstream direct", value: pgWarm, unit: "MiB/s" }, pgWarm / directMiBs, 0.9, "≥ 0.9× direct"));

    // --- 16 clients, one cold blob ---------------------------------------------------------
    log("16 clients for one cold blob: Distribution proxy, Pullgate…");
    const distSixteen = await startRegistry({ auth: "none", proxyRemoteUrl: upstream.url });
    cleanup.push(() => distSixteen.stop());
    // Counted from the upstream's access log by user agent: Distribution may still be fetching after its clients are done.
    const isPullgate = (line: string) => line.includes('"pullgate/');
    let before = blobGetsBy(upstream, bigLayer.digest, (l) => !isPullgate(l) && !l.includes('"curl/'));
    const distAgg = await curlMany(`${distSixteen.url}/v2/acme/big/blobs/${bigLayer.digest}`, [], bigLayer.size, 16);
    await settleAccessLog();
    const distGets = blobGetsBy(upstream, bigLayer.digest, (l) => !isPullgate(l) && !l.includes('"curl/')) - before;
    before = blobGetsBy(upstream, bigLayer.digest, isPullgate);
    const pgAgg = await curlMany(pgBlob("sixteen"), authHeaders, bigLayer.size, 16);
    await settleAccessLog();
    const pgGets = blobGetsBy(upstream, bigLayer.digest, isPullgate) - before;
    rows.push({ figure: "16 clients, same cold blob", system: "Distribution proxy", value: distAgg.mibps, unit: "MiB/s aggregate" });
    rows.push({ figure: "16 clients, same cold blob", system: "Pullgate", value: pgAgg.mibps, unit: "MiB/s aggregate" });
    rows.push({ figure: "16 clients: upstream blob GETs", system: "Distribution proxy", value: distGets, unit: "GETs" });
    rows.push(withTarget({ figure: "16 clients: upstream blob GETs", system: "Pullgate", value: pgGets, unit: "GETs" }, pgGets, 1, "exactly 1", (v) => v === 1));
    if (distAgg.failures || pgAgg.failures) notes.push(`16-client run: ${distAgg.failures} Distribution and ${pgAgg.failures} Pullgate transfers were incomplete.`);

    // --- manifests by tag, 64 connections -----------------------------------------------------
    log("manifest GET by tag, 64 connections (wrk)…");
    const wrkDirect = await wrk(`${upstream.url}/v2/acme/small/manifests/1.0`, [`Accept: ${MANIFEST_ACCEPT}`], wrkSeconds);
    const wrkDist = await wrk(`${distSingle.url}/v2/acme/small/manifests/1.0`, [`Accept: ${MANIFEST_ACCEPT}`], wrkSeconds);
    const pgManifest = `${proxy.url}/v2/proxy/${app.slug}/single/acme/small/manifests/1.0`;
    await curlOnce(pgManifest, [...authHeaders, `Accept: ${MANIFEST_ACCEPT}`], small.manifest.size);
    // The event-loop delay histogram (monitorEventLoopDelay, behind /metrics) restarts at each scrape: this one covers wrk only.
    const metricsBefore = await proxy.metrics();
    const wrkSince = new Date();
    const wrkPg = await wrk(pgManifest, [...authHeaders, `Accept: ${MANIFEST_ACCEPT}`], wrkSeconds);
    const metricsAfter = await proxy.metrics();
    const handling = await manifestHandlingTimes(prisma, wrkSince);
    rows.push({ figure: "manifest by tag, 64 conns", system: "upstream direct", value: wrkDirect.rps, unit: "req/s" });
    rows.push({ figure: "manifest by tag, 64 conns", system: "Distribution proxy", value: wrkDist.rps, unit: "req/s" });
    rows.push(withTarget({ figure: "manifest by tag, 64 conns", system: "Pullgate (license auth)", value: wrkPg.rps, unit: "req/s" }, wrkPg.rps / wrkDirect.rps, 1.0, "≥ 1.0× upstream direct"));
    rows.push(withTarget({ figure: "issue 5: manifest req/s", system: "Pullgate (license auth)", value: wrkPg.rps, unit: "req/s" }, wrkPg.rps / 1500, 1.0, "≥ 1500 req/s"));
    // wrk's p99 is printed, not judged: against a Node server on this 2-core machine its histogram shows
    // waits that neither the proxy's per-connection clock, wrk's own system calls (strace) nor two other
    // clients with exact per-request times see (bench/notes/manifest-tail.md). The target is judged on ab's.
    rows.push({ figure: "manifest p99, 64 conns (wrk)", system: "upstream direct", value: wrkDirect.p99Ms, unit: "ms" });
    rows.push({ figure: "manifest p99, 64 conns (wrk)", system: "Distribution proxy", value: wrkDist.p99Ms, unit: "ms" });
    rows.push({ figure: "manifest p99, 64 conns (wrk)", system: "Pullgate (license auth)", value: wrkPg.p99Ms, unit: "ms", ratio: round(wrkPg.p99Ms / wrkDirect.p99Ms, 2) });
    for (const q of ["p50", "p90", "p99"] as const) {
      rows.push({ figure: `event-loop delay ${q} during wrk`, system: "Pullgate (license auth)", value: round(metricValue(metricsAfter, `pullgate_proxy_nodejs_eventloop_lag_${q}_seconds`) * 1000, 2), unit: "ms" });
    }
    rows.push({ figure: "event-loop delay max during wrk", system: "Pullgate (license auth)", value: round(metricValue(metricsAfter, "pullgate_proxy_nodejs_eventloop_lag_max_seconds") * 1000, 2), unit: "ms" });
    // The proxy's own time per request (each pull event's durationMs: request in → response written),
    // to tell the proxy's waits from the client's.
    for (const [q, v] of Object.entries(handling.percentiles)) {
      rows.push({ figure: `manifest handling ${q} during wrk (in the proxy)`, system: "Pullgate (license auth)", value: v, unit: "ms" });
    }
    // The p99 judged: ab with the same 64 keep-alive connections, each system in turn.
    const abDirect = await ab(`${upstream.url}/v2/acme/small/manifests/1.0`, [`Accept: ${MANIFEST_ACCEPT}`], wrkSeconds);
    const abDist = await ab(`${distSingle.url}/v2/acme/small/manifests/1.0`, [`Accept: ${MANIFEST_ACCEPT}`], wrkSeconds);
    const abPg = await ab(pgManifest, [...authHeaders, `Accept: ${MANIFEST_ACCEPT}`], wrkSeconds);
    rows.push({ figure: "manifest p99, 64 keep-alive conns (ab)", system: "upstream direct", value: abDirect.p99Ms, unit: "ms" });
    rows.push({ figure: "manifest p99, 64 keep-alive conns (ab)", system: "Distribution proxy", value: abDist.p99Ms, unit: "ms" });
    rows.push(withTarget({ figure: "manifest p99, 64 keep-alive conns (ab)", system: "Pullgate (license auth)", value: abPg.p99Ms, unit: "ms" }, abPg.p99Ms / abDirect.p99Ms, 1, "≤ upstream direct p99", (v) => v <= abDirect.p99Ms));
    notes.push(`ab, 64 keep-alive connections for ${wrkSeconds} s each: upstream ${abDirect.rps} req/s, Distribution proxy ${abDist.rps} req/s, Pullgate ${abPg.rps} req/s. The proxy recorded ${handling.count} manifest requests during wrk.`);
    const gcDelta = (kind: string) => metricValue(metricsAfter, `pullgate_proxy_nodejs_gc_duration_seconds_sum{kind="${kind}"}`) - metricValue(metricsBefore, `pullgate_proxy_nodejs_gc_duration_seconds_sum{kind="${kind}"}`);
    rows.push({ figure: "GC pause time during wrk", system: "Pullgate (major + minor + incremental)", value: round((gcDelta("major") + gcDelta("minor") + gcDelta("incremental")) * 1000, 1), unit: `ms in ${wrkSeconds} s` });
    const dropped = metricValue(metricsAfter, "pullgate_proxy_pull_events_dropped_total") - metricValue(metricsBefore, "pullgate_proxy_pull_events_dropped_total");
    rows.push(withTarget({ figure: "pull events dropped during wrk", system: "Pullgate (license auth)", value: dropped, unit: "events" }, dropped, 0, "0", (v) => v === 0));
    for (const [name, w] of [["upstream", wrkDirect], ["Distribution proxy", wrkDist], ["Pullgate", wrkPg]] as const) {
      if (w.errors) notes.push(`wrk against ${name}: ${w.detail}.`);
    }

    // --- revocation delay -------------------------------------------------------------------
    log("revocation delay with an already-issued token, 20 times…");
    const delays = await revocationDelays(proxy, prisma, licenseId, `proxy/${app.slug}/single/acme/small`, 20);
    rows.push(withTarget({ figure: "revocation delay p50", system: "Pullgate", value: delays.p50, unit: "ms" }, delays.p50 / 1000, 1, "≤ 1000 ms", (v) => v <= 1000));
    rows.push(withTarget({ figure: "revocation delay max", system: "Pullgate", value: delays.max, unit: "ms" }, delays.max / 1000, 1, "≤ 1000 ms", (v) => v <= 1000));

    // --- peak RSS while many clients stream a warm blob ---------------------------------------
    log(`peak RSS: ${rssClients} clients streaming the warm ${blobMiB} MiB blob…`);
    await curlOnce(pgBlob("rss"), authHeaders, bigLayer.size); // warm this namespace
    await waitForFile(path.join(cacheDir, namespaces.rss!, "sha256", bigLayer.digest.slice(7)), bigLayer.size);
    await proxy.stop();
    proxy = await startProxyProcess(proxyEnv, { entry: proxyEntry }); // fresh process: VmHWM covers this phase only
    const idleRss = await rssOf(proxy.child.pid!);
    const rssRun = await curlMany(pgBlob("rss"), authHeaders, bigLayer.size, rssClients);
    const peak = await rssOf(proxy.child.pid!);
    const rssHits = blobHits(await proxy.metrics());
    if (rssHits !== rssClients) notes.push(`RSS phase: only ${rssHits} of ${rssClients} requests were cache hits.`);
    rows.push({ figure: `${rssClients} clients warm blob`, system: "Pullgate", value: rssRun.mibps, unit: "MiB/s aggregate" });
    rows.push(withTarget({ figure: "proxy peak RSS", system: `Pullgate, ${rssClients} clients`, value: peak.hwmMiB, unit: "MiB" }, peak.hwmMiB / 200, 1, "≤ 200 MiB", (v) => v <= 200));
    notes.push(`RSS phase: ${rssClients} clients × ${blobMiB} MiB (${((rssClients * blobMiB) / 1024).toFixed(1)} GiB in total, not 64 × 1 GiB, to keep the run short); idle RSS of the fresh proxy ${idleRss.rssMiB} MiB.`);
    if (rssRun.failures) notes.push(`RSS phase: ${rssRun.failures} transfers incomplete.`);

    // --- the recommended deployment: nginx in front, warm blobs offloaded to it ------------------
    log("nginx offload: cold and warm through nginx, manifests through nginx, peak RSS…");
    const offloadCacheDir = path.join(work, "pullgate-cache-offload");
    const offloadEnv = { ...proxyEnv, PULLGATE_CACHE_DIR: offloadCacheDir, PULLGATE_OFFLOAD: "nginx", PROXY_TRUST_FORWARDED: "1" };
    let offloadProxy = await startProxyProcess(offloadEnv, { entry: proxyEntry });
    cleanup.push(() => offloadProxy.stop());
    let nginx: TestNginx = await startNginx({ proxyAddress: offloadProxy.host, cacheDir: offloadCacheDir, prefix: "/_pullgate_cache/", offloadKey: offloadKey(parseMasterKey(process.env.PULLGATE_SECRET_KEY)) });
    cleanup.push(() => nginx.stop());
    const ngBlob = () => `${nginx.url}/v2/proxy/${app.slug}/offload/acme/big/blobs/${bigLayer.digest}`;
    const ngCold = await curlOnce(ngBlob(), authHeaders, bigLayer.size);
    await waitForFile(path.join(offloadCacheDir, namespaces.offload!, "sha256", bigLayer.digest.slice(7)), bigLayer.size);
    await curlOnce(ngBlob(), authHeaders, bigLayer.size); // from the disk (see the single stream above)
    const ngWarm = await curlMedian(ngBlob(), authHeaders, bigLayer.size);
    const offloaded = offloadCount(await offloadProxy.metrics());
    if (offloaded < 8) notes.push(`Offload phase: only ${offloaded} of 8 warm requests were offloaded to nginx.`);
    rows.push({ figure: "single-stream blob", system: "Pullgate cold, via nginx", value: ngCold, unit: "MiB/s" });
    rows.push(withTarget({ figure: "single-stream blob", system: "Pullgate warm, nginx offload", value: ngWarm, unit: "MiB/s" }, ngWarm / distWarm, 1.0, "≥ 1.0× Distribution proxy warm"));
    const ngManifest = `${nginx.url}/v2/proxy/${app.slug}/offload/acme/small/manifests/1.0`;
    await curlOnce(ngManifest, [...authHeaders, `Accept: ${MANIFEST_ACCEPT}`], small.manifest.size);
    const wrkNg = await wrk(ngManifest, [...authHeaders, `Accept: ${MANIFEST_ACCEPT}`], wrkSeconds);
    rows.push({ figure: "manifest by tag, 64 conns", system: "Pullgate via nginx", value: wrkNg.rps, unit: "req/s" });
    rows.push({ figure: "manifest p99, 64 conns (wrk)", system: "Pullgate via nginx", value: wrkNg.p99Ms, unit: "ms" });
    if (wrkNg.errors) notes.push(`wrk against Pullgate via nginx: ${wrkNg.detail}.`);

    // Fresh processes again, so the high-water marks cover the 64 streams only.
    await nginx.stop();
    await offloadProxy.stop();
    offloadProxy = await startProxyProcess(offloadEnv, { entry: proxyEntry });
    nginx = await startNginx({ proxyAddress: offloadProxy.host, cacheDir: offloadCacheDir, prefix: "/_pullgate_cache/", offloadKey: offloadKey(parseMasterKey(process.env.PULLGATE_SECRET_KEY)) });
    const ngRun = await curlMany(ngBlob(), authHeaders, bigLayer.size, rssClients);
    const ngPeak = await rssOf(offloadProxy.child.pid!);
    const nginxRss = await processTreeRss(nginx.child.pid!);
    rows.push({ figure: `${rssClients} clients warm blob`, system: "Pullgate + nginx offload", value: ngRun.mibps, unit: "MiB/s aggregate" });
    rows.push(withTarget({ figure: "proxy peak RSS", system: `Pullgate + nginx offload, ${rssClients} clients`, value: ngPeak.hwmMiB, unit: "MiB" }, ngPeak.hwmMiB / 200, 1, "≤ 200 MiB", (v) => v <= 200));
    rows.push({ figure: "nginx peak RSS (master + workers)", system: `${rssClients} clients`, value: nginxRss, unit: "MiB" });
    if (ngRun.failures) notes.push(`Offload RSS phase: ${ngRun.failures} transfers incomplete.`);

    notes.push("Clients: curl for blobs (one process each), wrk -t2 -c64 for manifest throughput, ab -k -c64 for manifest p99; all on the same 2-core machine as the servers.");
    notes.push("Warm single-stream figures are the median of 7 transfers, after one that brings Pullgate's file into the page cache; cold ones are one transfer each (a cold blob can be cold only once).");
    notes.push("Distribution's proxy mode streams the upstream straight to the client and fills its storage from a second upstream GET; Pullgate verifies the digest before the last byte and writes the cache file on the same pass (proxy/cache/README.md, \"Where the time goes\"). CPU per cold GiB counts each until its copy is stored.");
    notes.push(`Load average when the bench ended: ${os.loadavg().map((l) => l.toFixed(2)).join(", ")} (${os.cpus().length} CPUs).`);

    return { bench: "proxy-cache", blobMiB, rssClients, rssBytesPerClientMiB: blobMiB, rows, notes, durationSeconds: Math.round((Date.now() - started) / 1000) };
  } finally {
    for (const step of cleanup.reverse()) await step().catch(() => {});
    await fs.promises.rm(work, { recursive: true, force: true });
  }
}

function withTarget(row: BenchRow, ratio: number, threshold: number, target: string, pass?: (value: number) => boolean): BenchRow {
  return { ...row, ratio: round(ratio, 2), target, pass: pass ? pass(row.value) : ratio >= threshold };
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** One curl download to /dev/null: MiB/s (throws if the size is wrong). */
async function curlOnce(url: string, headers: string[], expectedSize: number, curlArgs: string[] = []): Promise<number> {
  const args = [...curlArgs, "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download} %{time_total}"];
  for (const h of headers) args.push("-H", h);
  const { stdout } = await run("curl", [...args, url]);
  const [code, size, seconds] = stdout.trim().split(" ");
  if (code !== "200" || Number(size) !== expectedSize) throw new Error(`curl ${url}: HTTP ${code}, ${size} of ${expectedSize} bytes`);
  return round(Number(size) / MiB / Number(seconds));
}

/** One curl download: MiB/s and time to first byte (ms). */
async function curlTimed(url: string, headers: string[], expectedSize: number): Promise<{ mibps: number; ttfbMs: number }> {
  const args = ["-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download} %{time_total} %{time_starttransfer}"];
  for (const h of headers) args.push("-H", h);
  const { stdout } = await run("curl", [...args, url]);
  const [code, size, seconds, ttfb] = stdout.trim().split(" ");
  if (code !== "200" || Number(size) !== expectedSize) throw new Error(`curl ${url}: HTTP ${code}, ${size} of ${expectedSize} bytes`);
  return { mibps: round(Number(size) / MiB / Number(seconds)), ttfbMs: round(Number(ttfb) * 1000, 2) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** User + system CPU seconds of a process so far (all its threads). */
function cpuSecondsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks (USER_HZ = 100 on Linux)
}

/** A sample's value from Prometheus text (0 when absent). */
function metricValue(text: string, name: string): number {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`^${escaped}\\s+([\\d.eE+-]+)`, "m").exec(text);
  return m ? Number(m[1]) : 0;
}

/** Different downloads all at once; aggregate MiB/s over the wall time until the last one finished. */
async function curlEach(targets: { url: string; size: number }[], headers: string[]): Promise<{ mibps: number; failures: number }> {
  const args = ["-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}"];
  for (const h of headers) args.push("-H", h);
  const t0 = performance.now();
  const results = await Promise.all(targets.map((t) => run("curl", [...args, t.url]).then((r) => r.stdout.trim(), () => "000 0")));
  const seconds = (performance.now() - t0) / 1000;
  let bytes = 0;
  let failures = 0;
  results.forEach((r, i) => {
    const [code, size] = r.split(" ");
    if (code !== "200" || Number(size) !== targets[i]!.size) failures++;
    bytes += Number(size);
  });
  return { mibps: round(bytes / MiB / seconds), failures };
}

/** Median of seven downloads (warm figures, which can be repeated; one swings from 1.0 to 2.1 GiB/s on this kind of machine). */
async function curlMedian(url: string, headers: string[], expectedSize: number, curlArgs: string[] = []): Promise<number> {
  const runs = [];
  for (let i = 0; i < 7; i++) runs.push(await curlOnce(url, headers, expectedSize, curlArgs));
  return median(runs);
}

/** The tools the bench drives besides what the tests need; fails with the line that installs them. */
async function requireTools(): Promise<void> {
  const missing: string[] = [];
  await run("wrk", ["--version"]).catch((err: NodeJS.ErrnoException) => err.code === "ENOENT" && missing.push("wrk"));
  if (!fs.existsSync(NGINX_BINARY)) missing.push("nginx-light");
  await run("ab", ["-V"]).catch((err: NodeJS.ErrnoException) => err.code === "ENOENT" && missing.push("apache2-utils"));
  if (missing.length) throw new Error(`the bench needs ${missing.join(" and ")}: apt-get install -y ${missing.join(" ")}`);
}

/** n curls at once; aggregate MiB/s over the wall time until the last one finished. */
async function curlMany(url: string, headers: string[], expectedSize: number, n: number): Promise<{ mibps: number; failures: number }> {
  const args = ["-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}"];
  for (const h of headers) args.push("-H", h);
  const t0 = performance.now();
  const results = await Promise.all(Array.from({ length: n }, () => run("curl", [...args, url]).then((r) => r.stdout.trim(), () => "000 0")));
  const seconds = (performance.now() - t0) / 1000;
  let bytes = 0;
  let failures = 0;
  for (const r of results) {
    const [code, size] = r.split(" ");
    if (code !== "200" || Number(size) !== expectedSize) failures++;
    bytes += Number(size);
  }
  return { mibps: round(bytes / MiB / seconds), failures };
}

async function wrk(url: string, headers: string[], seconds: number): Promise<{ rps: number; p99Ms: number; errors: number; detail: string }> {
  const args = ["-t2", "-c64", `-d${seconds}s`, "--latency"];
  for (const h of headers) args.push("-H", h);
  const { stdout } = await run("wrk", [...args, url]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(stdout);
  const p99Ms = p99 ? Number(p99[1]) * (p99[2] === "us" ? 0.001 : p99[2] === "s" ? 1000 : 1) : NaN;
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const socket = socketErrors ? socketErrors.slice(1).map(Number) : [0, 0, 0, 0];
  const errors = non2xx + socket.reduce((a, b) => a + b, 0);
  const detail = `${non2xx} non-2xx, socket errors connect ${socket[0]} read ${socket[1]} write ${socket[2]} timeout ${socket[3]}`;
  return { rps: Math.round(rps), p99Ms: round(p99Ms, 2), errors, detail };
}

/** ab -k with 64 connections for `seconds`: requests per second and the 99th percentile (whole ms, as ab prints it). */
async function ab(url: string, headers: string[], seconds: number): Promise<{ rps: number; p99Ms: number }> {
  const args = ["-k", "-q", "-c", "64", "-t", String(seconds), "-n", "10000000"];
  for (const h of headers) args.push("-H", h);
  const { stdout } = await run("ab", [...args, url], { maxBuffer: 16 * MiB });
  const rps = Number(/Requests per second:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0);
  const p99 = Number(/^\s+99%\s+(\d+)/m.exec(stdout)?.[1] ?? NaN);
  return { rps: Math.round(rps), p99Ms: p99 };
}

/** Percentiles of the proxy's durationMs for the manifest requests recorded since `since`, once their pull events are written. */
async function manifestHandlingTimes(prisma: PrismaClient, since: Date): Promise<{ count: number; percentiles: Record<string, number> }> {
  type Row = { n: bigint; p: number[]; max: number | null };
  const query = () => prisma.$queryRaw<Row[]>`
    SELECT count(*) AS n, percentile_cont(ARRAY[0.5, 0.99, 0.999]) WITHIN GROUP (ORDER BY "durationMs") AS p, max("durationMs") AS max
    FROM "PullEvent" WHERE "action" = 'manifest' AND "time" >= ${since}`;
  // Events are written in batches in the background: wait until the count stops growing.
  let row = (await query())[0]!;
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const next = (await query())[0]!;
    if (next.n === row.n) break;
    row = next;
  }
  const [p50, p99, p999] = row.p ?? [NaN, NaN, NaN];
  return { count: Number(row.n), percentiles: { p50: round(p50!, 2), p99: round(p99!, 2), "p99.9": round(p999!, 2), max: row.max ?? NaN } };
}

async function rssOf(pid: number): Promise<{ rssMiB: number; hwmMiB: number }> {
  const status = await fs.promises.readFile(`/proc/${pid}/status`, "utf8");
  const kib = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rssMiB: round(kib("VmRSS") / 1024), hwmMiB: round(kib("VmHWM") / 1024) };
}

/** Distribution's proxy writes the blob to its storage after the transfer; wait until it is there. */
async function waitForDistributionCache(registry: TestRegistry, layer: WrittenImage["layers"][number]): Promise<void> {
  const file = path.join(registry.dir, "data", "docker", "registry", "v2", "blobs", "sha256", layer.digest.slice(7, 9), layer.digest.slice(7), "data");
  await waitForFile(file, layer.size);
}

/** Waits for a cache file to be complete; a "warm" figure measured without it would be a cold one. */
async function waitForFile(file: string, size: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const stat = await fs.promises.stat(file).catch(() => null);
    if (stat?.size === size) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${file} did not reach ${size} bytes within 30 s`);
}

/** Peak RSS (VmHWM) of a process and its children, MiB (nginx: master + workers). */
async function processTreeRss(pid: number): Promise<number> {
  const { stdout } = await run("pgrep", ["-P", String(pid)]).catch(() => ({ stdout: "" }));
  const pids = [pid, ...stdout.split("\n").filter(Boolean).map(Number)];
  let total = 0;
  for (const p of pids) total += (await rssOf(p).catch(() => ({ hwmMiB: 0 }))).hwmMiB;
  return round(total);
}

function offloadCount(metricsText: string): number {
  const m = /^pullgate_proxy_cache_offloads_total (\d+)/m.exec(metricsText);
  return m ? Number(m[1]) : 0;
}

function blobHits(metricsText: string): number {
  const m = /^pullgate_proxy_cache_requests_total\{kind="blob",result="hit"\} (\d+)/m.exec(metricsText);
  return m ? Number(m[1]) : 0;
}

/** GETs of the blob the registry answered with content, among access log lines matching `who`. */
function blobGetsBy(registry: TestRegistry, digest: string, who: (line: string) => boolean): number {
  return registry.accessLog().filter((line) => who(line) && new RegExp(`"GET /v2/\\S+/blobs/${digest} HTTP/[\\d.]+" 2\\d\\d `).test(line)).length;
}

function settleAccessLog(): Promise<void> {
  return new Promise((r) => setTimeout(r, 500));
}

/**
 * Time from the committed UPDATE that turns registry access off until a
 * request with a token issued before it is denied; access is turned back on
 * (and seen to work) between rounds.
 */
async function revocationDelays(
  proxy: ProxyProcess,
  prisma: PrismaClient,
  licenseId: string,
  repository: string,
  rounds: number,
): Promise<{ p50: number; max: number; samples: number[] }> {
  const tokenRes = await fetch(`${proxy.url}/v2/token?service=${proxy.host}&scope=repository:${repository}:pull`, {
    headers: { authorization: `Basic ${Buffer.from(`LICENSE_ID:${licenseId}`).toString("base64")}` },
  });
  const { token } = (await tokenRes.json()) as { token: string };
  const url = `${proxy.url}/v2/${repository}/manifests/1.0`;
  const status = async () => {
    const res = await fetch(url, { method: "HEAD", headers: { authorization: `Bearer ${token}`, accept: MANIFEST_ACCEPT } });
    return res.status;
  };
  const until = async (want: number) => {
    const deadline = Date.now() + 10_000;
    while ((await status()) !== want) {
      if (Date.now() > deadline) throw new Error(`revocation bench: status never became ${want}`);
    }
  };
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await until(200);
    await prisma.license.update({ where: { licenseId }, data: { registryAccess: false } });
    const t0 = performance.now();
    await until(403);
    samples.push(performance.now() - t0);
    await prisma.license.update({ where: { licenseId }, data: { registryAccess: true } });
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: round(sorted[Math.floor((sorted.length - 1) / 2)]!, 1), max: round(sorted[sorted.length - 1]!, 1), samples: samples.map((s) => round(s, 1)) };
}

// Run alone: node --import tsx bench/proxy-cache.ts
if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  benchProxyCache({ blobMiB: arg("blob-mib"), rssClients: arg("rss-clients"), wrkSeconds: arg("wrk-seconds") }).then(
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

