import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { prisma } from "@/lib/db/client";
import type { Actor } from "@/lib/auth/actor";
import { createVendor } from "@/lib/teams/create-vendor";
import { createApp } from "@/lib/apps/create-app";
import { createCustomer } from "@/lib/customers/create-customer";
import { archiveCustomer } from "@/lib/customers/archive-customer";
import { encryptSecret } from "@/lib/secrets/crypto";
import { startRegistry, type TestRegistry } from "./registry";
import { writeOciImage, writeOciIndex, type WrittenImage, type WrittenIndex } from "./oci-image";
import { startProxyProcess, type ProxyProcess } from "./proxy-process";

/**
 * What the client-matrix and protocol tests share: Distribution (htpasswd) as
 * the vendor's registry holding `acme/api:1.0` (one linux/amd64 image) and
 * `acme/api:multi` (an index of linux/amd64 and linux/arm64), a vendor with
 * an app whose customers hold licenses in every state, and the proxy process.
 *
 *   const f = await startPullFixture("docker");
 *   f.image(":1.0")               // 127.0.0.1:<port>/proxy/<app>/vendor-reg/acme/api:1.0
 *   f.licenses.expired            // a license ID that exists but may not pull
 *   await f.stop();
 */

export const LICENSE_STATES = ["active", "expired", "disabled", "archived", "otherApp"] as const;
export type LicenseState = (typeof LICENSE_STATES)[number];

/** What each refused license state must make every client print. */
export const REFUSAL_REASONS: Record<Exclude<LicenseState, "active">, string> = {
  expired: "license expired on 2026-10-01",
  disabled: "registry access is turned off",
  archived: "customer is archived",
  otherApp: "this license is not valid for app",
};

/** A well-formed license ID that belongs to nobody. */
export const UNKNOWN_LICENSE = "Zz9".repeat(9);

export type PullFixture = {
  registry: TestRegistry;
  proxy: ProxyProcess;
  /** Temporary directory for the test's own files (removed by stop()). */
  work: string;
  actor: Actor;
  appSlug: string;
  otherAppSlug: string;
  licenses: Record<LicenseState, string>;
  customerIds: Record<LicenseState, string>;
  single: WrittenImage;
  multi: WrittenIndex;
  /** Proxy repository of the vendor's acme/api (`proxy/<app>/vendor-reg/acme/api`). */
  repository: string;
  /** `<proxy host>/<repository><suffix>`, suffix e.g. `:1.0` or `@sha256:…`. */
  image(suffix: string, app?: string): string;
  stop(): Promise<void>;
};

export async function startPullFixture(name: string, options: { proxyEnv?: Record<string, string> } = {}): Promise<PullFixture> {
  process.env.PULLGATE_SECRET_KEY ||= randomBytes(32).toString("base64");
  const upstreamPassword = `upstream-${randomBytes(12).toString("hex")}`;
  const suffix = randomBytes(3).toString("hex");
  const work = await fs.promises.mkdtemp(path.join(os.tmpdir(), `pullgate-${name}-`));
  let registry: TestRegistry | undefined;
  let proxy: ProxyProcess | undefined;
  const stop = async () => {
    await proxy?.stop();
    await registry?.stop();
    await fs.promises.rm(work, { recursive: true, force: true });
  };
  try {
    registry = await startRegistry({ auth: "htpasswd", users: { vendor: upstreamPassword } });
    const layout = path.join(work, "layout");
    // Seeds unique per run: nothing is shared with another test's upstream by accident.
    const single = await writeOciImage(layout, { tag: "1.0", layers: [{ size: 4096, seed: `${name}-${suffix}-single` }] });
    await registry.push(layout, "1.0", "acme/api:1.0");
    const multi = await writeOciIndex(layout, {
      tag: "multi",
      platforms: [{ os: "linux", architecture: "amd64" }, { os: "linux", architecture: "arm64" }],
      layers: [{ size: 2048 }],
    });
    await registry.push(layout, "multi", "acme/api:multi", { all: true });

    const { user, team } = await createVendor({ email: `${name}-${suffix}@example.com`, password: "correct horse battery", teamName: `Matrix ${name}` });
    const actor: Actor = { teamId: team.id, userId: user.id, tokenId: null, role: "owner", label: user.email };
    const app = await createApp(actor, { name: "Acme", slug: `${name}-${suffix}` });
    const otherApp = await createApp(actor, { name: "Other", slug: `${name}-other-${suffix}` });
    const sealed = encryptSecret(upstreamPassword);
    await prisma.registryCredential.create({
      data: { teamId: team.id, provider: "other", endpoint: registry.host, name: "vendor-reg", username: "vendor", secretCiphertext: sealed.ciphertext, secretKeyVersion: sealed.keyVersion, allowHttp: true, allApps: true },
    });

    const licenses = {} as Record<LicenseState, string>;
    const customerIds = {} as Record<LicenseState, string>;
    const customer = async (state: LicenseState, appId: string, extra: Record<string, unknown> = {}) => {
      const c = await createCustomer(actor, { appId, name: `${state} ${suffix}`, email: `${state}-${suffix}@customer.test`, ...extra });
      licenses[state] = c.license.licenseId;
      customerIds[state] = c.id;
    };
    await customer("active", app.id);
    await customer("expired", app.id, { expiresAt: "2026-10-01T00:00:00.000Z" });
    await customer("disabled", app.id, { registryAccess: false });
    await customer("archived", app.id);
    await archiveCustomer(actor, customerIds.archived);
    await customer("otherApp", otherApp.id);

    proxy = await startProxyProcess({
      DATABASE_URL: process.env.DATABASE_URL!,
      PULLGATE_SECRET_KEY: process.env.PULLGATE_SECRET_KEY!,
      PULLGATE_UPSTREAM_ALLOW_CIDRS: "127.0.0.0/8",
      PULLGATE_DOMAIN_CHECK_INTERVAL: "0",
      ...options.proxyEnv,
    });
    const started = proxy;
    const repository = `proxy/${app.slug}/vendor-reg/acme/api`;
    return {
      registry,
      proxy,
      work,
      actor,
      appSlug: app.slug,
      otherAppSlug: otherApp.slug,
      licenses,
      customerIds,
      single,
      multi,
      repository,
      image: (ref, appSlug = app.slug) => `${started.host}/proxy/${appSlug}/vendor-reg/acme/api${ref}`,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
