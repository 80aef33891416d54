import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { isRegistrySecretReadable } from "@/lib/registries/registry-secret-readable";
import { encryptSecret, loadKeyring } from "@/lib/secrets/crypto";
import { basicAuth, createCacheFixture, sha256, type CacheFixture } from "../helpers/cache-fixture";
import { writeOciImage, type WrittenImage } from "../helpers/oci-image";
import { startProxyProcess, type ProxyProcess } from "../helpers/proxy-process";
import { startRegistry, type TestRegistry } from "../helpers/registry";

// Two linked registries of one team; the stored secret of one of them was
// sealed with a key this server no longer has (PULLGATE_SECRET_KEY changed
// without the old key in PULLGATE_SECRET_KEY_PREVIOUS). Only that registry
// fails, with 502 and a message that says why; what it already cached and
// the other registry keep serving; the log says what to do, once.

const UPSTREAM_PASSWORD = `upstream-${randomBytes(12).toString("hex")}`;

let work: string;
let registry: TestRegistry;
let proxy: ProxyProcess;
let fixture: CacheFixture;
const images: Record<string, WrittenImage> = {};

beforeAll(async () => {
  work = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-secret-"));
  registry = await startRegistry({ auth: "htpasswd", users: { vendor: UPSTREAM_PASSWORD } });
  const layout = path.join(work, "layout");
  for (const tag of ["1.0", "2.0"]) {
    images[tag] = await writeOciImage(layout, { tag, layers: [{ size: 64 * 1024, seed: `${tag}-${randomBytes(3).toString("hex")}` }] });
    await registry.push(layout, tag, `acme/api:${tag}`);
  }
  fixture = await createCacheFixture({ registries: { good: registry.host, broken: registry.host }, upstreamPassword: UPSTREAM_PASSWORD });
  proxy = await startProxyProcess({
    DATABASE_URL: process.env.DATABASE_URL!,
    PULLGATE_SECRET_KEY: process.env.PULLGATE_SECRET_KEY!,
    PULLGATE_DOMAIN_CHECK_INTERVAL: "0",
    PULLGATE_UPSTREAM_ALLOW_CIDRS: "127.0.0.0/8",
  });
}, 180_000);

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  if (work) await fs.promises.rm(work, { recursive: true, force: true });
});

async function get(alias: string, what: string): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(`${proxy.url}/v2/proxy/${fixture.appSlug}/${alias}/acme/api/${what}`, {
    headers: { authorization: basicAuth(fixture.licenseId), accept: "application/vnd.oci.image.manifest.v1+json" },
  });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

describe("a registry secret that no longer decrypts", () => {
  it("fails that registry only (502, saying why); its cached blobs and the other registry keep serving", async () => {
    const layer = images["1.0"]!.layers[0]!;
    // Both registries have served 1.0 (and cached its layer) while the secret was fine.
    for (const alias of ["good", "broken"]) {
      expect((await get(alias, "manifests/1.0")).status).toBe(200);
      expect(sha256((await get(alias, `blobs/${layer.digest}`)).body)).toBe(layer.digest);
    }

    const otherKey = randomBytes(32).toString("base64");
    const sealed = encryptSecret(UPSTREAM_PASSWORD, loadKeyring({ PULLGATE_SECRET_KEY: otherKey }));
    await prisma.registryCredential.update({ where: { id: fixture.registryIds.broken }, data: { secretCiphertext: sealed.ciphertext } });
    // The change reaches the proxy through its change notifications (or its 1 s cache). Until then the
    // old credentials still work: wait on a tag that does not exist (404, never cached), not on 2.0.
    const deadline = Date.now() + 30_000;
    let probe = await get("broken", "manifests/no-such-tag");
    while (probe.status !== 502 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      probe = await get("broken", "manifests/no-such-tag");
    }
    expect(probe.status).toBe(502);
    const broken = await get("broken", "manifests/2.0");
    expect(broken.status).toBe(502);
    expect(JSON.parse(broken.body.toString()).errors[0].message).toBe(
      "the vendor's registry is unreachable: the vendor's stored credentials for it are unreadable on this server",
    );
    expect((await get("broken", `blobs/${images["2.0"]!.layers[0]!.digest}`)).status).toBe(502);

    // What it cached before still serves; the other registry is untouched.
    expect(sha256((await get("broken", `blobs/${layer.digest}`)).body)).toBe(layer.digest);
    expect((await get("good", "manifests/2.0")).status).toBe(200);
    expect(sha256((await get("good", `blobs/${images["2.0"]!.layers[0]!.digest}`)).body)).toBe(images["2.0"]!.layers[0]!.digest);

    const logLines = proxy.logs().split("\n").filter((l) => l.includes("stored registry secret cannot be decrypted"));
    expect(logLines).toHaveLength(1);
    expect(JSON.parse(logLines[0]!)).toMatchObject({ registryId: fixture.registryIds.broken, registry: "broken", host: registry.host });
    expect(proxy.logs()).not.toContain(UPSTREAM_PASSWORD);
  }, 120_000);

  it("is flagged for the registry's page, and only for that registry", async () => {
    expect(await isRegistrySecretReadable(fixture.actor, fixture.registryIds.broken!)).toBe(false);
    expect(await isRegistrySecretReadable(fixture.actor, fixture.registryIds.good!)).toBe(true);
  });
});
