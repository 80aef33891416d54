import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { prisma } from "@/lib/db/client";
import type { Actor } from "@/lib/auth/actor";
import { createVendor } from "@/lib/teams/create-vendor";
import { createApp } from "@/lib/apps/create-app";
import { createCustomer } from "@/lib/customers/create-customer";
import { encryptSecret } from "@/lib/secrets/crypto";
import { sha256 } from "./oci-image";

/**
 * What the cache tests share: a vendor with one app, registries linked under
 * aliases (real registry, or a stand-in in front of it; plain HTTP on
 * loopback, so marked insecure and reachable only with the proxy's
 * PULLGATE_UPSTREAM_ALLOW_CIDRS, which startProxyProcess sets), a customer's
 * license, and small clients for the proxy (raw HTTP and skopeo).
 */

const run = promisify(execFile);

export type CacheFixture = {
  actor: Actor;
  appSlug: string;
  licenseId: string;
  customerId: string;
  /** alias → registry credential id (the cache namespace). */
  registryIds: Record<string, string>;
};

export async function createCacheFixture(options: { registries: Record<string, string>; upstreamPassword: string }): Promise<CacheFixture> {
  process.env.PULLGATE_SECRET_KEY ||= randomBytes(32).toString("base64");
  const suffix = randomBytes(4).toString("hex");
  const { user, team } = await createVendor({ email: `cache-${suffix}@example.com`, password: "correct horse battery", teamName: "Cache" });
  const actor: Actor = { teamId: team.id, userId: user.id, tokenId: null, role: "owner", label: user.email };
  const app = await createApp(actor, { name: "Cache", slug: `cache-${suffix}` });
  const sealed = encryptSecret(options.upstreamPassword);
  const registryIds: Record<string, string> = {};
  for (const [alias, host] of Object.entries(options.registries)) {
    const row = await prisma.registryCredential.create({
      data: { teamId: team.id, provider: "other", endpoint: host, name: alias, username: "vendor", secretCiphertext: sealed.ciphertext, secretKeyVersion: sealed.keyVersion, allowHttp: true, allApps: true },
    });
    registryIds[alias] = row.id;
  }
  const customer = await createCustomer(actor, { appId: app.id, name: `customer-${suffix}`, email: `customer-${suffix}@example.com` });
  return { actor, appSlug: app.slug, licenseId: customer.license.licenseId, customerId: customer.id, registryIds };
}

export function basicAuth(licenseId: string): string {
  return `Basic ${Buffer.from(`LICENSE_ID:${licenseId}`).toString("base64")}`;
}

export { sha256 };

export async function skopeoCopy(source: string, destLayout: string, tag: string, licenseId: string): Promise<void> {
  await run(
    "skopeo",
    ["--insecure-policy", "copy", "--quiet", "--preserve-digests", "--src-tls-verify=false", "--src-creds", `LICENSE_ID:${licenseId}`, `docker://${source}`, `oci:${destLayout}:${tag}`],
    { maxBuffer: 16 * 1024 * 1024 },
  );
}

/** The digests an OCI layout holds for `tag`: its manifest and every blob file. */
export async function layoutDigests(layout: string): Promise<{ manifests: string[]; blobs: string[] }> {
  const index = JSON.parse(await fs.promises.readFile(path.join(layout, "index.json"), "utf8")) as { manifests: { digest: string }[] };
  const blobs: string[] = [];
  for (const name of await fs.promises.readdir(path.join(layout, "blobs", "sha256"))) {
    // The file name is only a claim: hash the content.
    const digest = sha256(await fs.promises.readFile(path.join(layout, "blobs", "sha256", name)));
    if (digest !== `sha256:${name}`) throw new Error(`blob ${name} in ${layout} does not match its digest`);
    blobs.push(digest);
  }
  return { manifests: index.manifests.map((m) => m.digest), blobs };
}

/** Bytes of cached content and temporary files under a cache directory (sidecars and tag answers excluded); `tempBytes`: of them, those in tmp/, from the same walk. */
export async function cacheContentBytes(cacheDir: string): Promise<{ bytes: number; tempBytes: number; files: string[]; tempFiles: string[] }> {
  const files: string[] = [];
  const tempFiles: string[] = [];
  let bytes = 0;
  let tempBytes = 0;
  const walk = async (dir: string, rel: string) => {
    let names: fs.Dirent[];
    try {
      names = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const d of names) {
      const full = path.join(dir, d.name);
      const relPath = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) {
        if (d.name !== "tags") await walk(full, relPath);
        continue;
      }
      if (d.name.endsWith(".meta.json")) continue;
      let size: number;
      try {
        size = (await fs.promises.stat(full)).size;
      } catch {
        continue; // evicted while we looked
      }
      bytes += size;
      if (relPath.startsWith("tmp/")) {
        tempFiles.push(relPath);
        tempBytes += size;
      } else files.push(relPath);
    }
  };
  await walk(cacheDir, "");
  return { bytes, tempBytes, files, tempFiles };
}

/** A counter's value from Prometheus text (sum over label sets matching `labels`). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labelText = m[2] ?? "";
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) total += Number(m[3]);
  }
  return total;
}
