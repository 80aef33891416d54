import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import type { Actor } from "@/lib/auth/actor";
import { createVendor } from "@/lib/teams/create-vendor";
import { createApp } from "@/lib/apps/create-app";
import { createCustomer } from "@/lib/customers/create-customer";
import { archiveCustomer } from "@/lib/customers/archive-customer";
import { getPullActivity, totalActivity } from "@/lib/pulls/pull-activity";
import { listVersionsInUse } from "@/lib/pulls/versions-in-use";
import { encryptSecret } from "@/lib/secrets/crypto";
import { freePort, startRegistry, type TestRegistry } from "../helpers/registry";
import { writeOciImage, writeOciIndex, type WrittenIndex } from "../helpers/oci-image";
import { startProxyProcess, type ProxyProcess } from "../helpers/proxy-process";

// The pull counting rule and the denial reasons with real clients: skopeo
// pulling through the proxy process from Distribution. A multi-arch copy of
// an index counts one pull per tag, a typo is not_found (never "denied"),
// every refusal stores its reason, and the figures the dashboard shows are
// what an independent SQL count of the events says.

const run = promisify(execFile);
process.env.PULLGATE_SECRET_KEY ||= randomBytes(32).toString("base64");
const UPSTREAM_PASSWORD = `upstream-${randomBytes(12).toString("hex")}`;
const suffix = randomBytes(3).toString("hex");

let registry: TestRegistry;
let proxy: ProxyProcess;
let work: string;
let actor: Actor;
let appSlug: string;
let otherAppSlug: string;
let multi: WrittenIndex;
const licenses: Record<string, { id: string; customerId: string }> = {};

async function skopeo(args: string[]) {
  return run("skopeo", ["--insecure-policy", ...args], { maxBuffer: 64 * 1024 * 1024 });
}

const ref = (image: string, app = appSlug, registryAlias = "vendor") => `docker://${proxy.host}/proxy/${app}/${registryAlias}/${image}`;
const creds = (name: string) => `LICENSE_ID:${licenses[name]!.id}`;

async function copy(name: string, image: string, options: { all?: boolean; app?: string; registryAlias?: string } = {}) {
  const dest = path.join(work, `copy-${randomBytes(4).toString("hex")}`);
  const args = ["copy", "--src-tls-verify=false", "--src-creds", creds(name)];
  if (options.all) args.push("--all");
  return skopeo([...args, ref(image, options.app, options.registryAlias), `oci:${dest}:x`]);
}

async function newCustomer(name: string, appId: string, extra: Record<string, unknown> = {}) {
  const c = await createCustomer(actor, { appId, name, ...extra });
  licenses[name] = { id: c.license.licenseId, customerId: c.id };
}

/** The events of one customer (or of no customer), once the proxy's batched writer has caught up. */
async function events(where: Record<string, unknown>, atLeast: number) {
  let rows: Awaited<ReturnType<typeof prisma.pullEvent.findMany>> = [];
  await expect
    .poll(
      async () => {
        rows = await prisma.pullEvent.findMany({ where: { teamId: actor.teamId, ...where }, orderBy: { id: "asc" } });
        return rows.length;
      },
      { timeout: 15_000, interval: 200 },
    )
    .toBeGreaterThanOrEqual(atLeast);
  return rows;
}

beforeAll(async () => {
  work = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-pull-counting-"));
  registry = await startRegistry({ auth: "htpasswd", users: { vendor: UPSTREAM_PASSWORD } });
  const layout = path.join(work, "layout");
  await writeOciImage(layout, { tag: "1.0" });
  await registry.push(layout, "1.0", "acme/api:1.0");
  multi = await writeOciIndex(layout, { tag: "multi", platforms: [{ os: "linux", architecture: "amd64" }, { os: "linux", architecture: "arm64" }] });
  await registry.push(layout, "multi", "acme/multi:1.0", { all: true });
  await registry.push(layout, "multi", "acme/multi:2.0", { all: true });

  const { user, team } = await createVendor({ email: `counting-${suffix}@example.com`, password: "correct horse battery", teamName: "Counting" });
  actor = { teamId: team.id, userId: user.id, tokenId: null, role: "owner", label: user.email };
  const app = await createApp(actor, { name: "Acme", slug: `count-${suffix}` });
  const otherApp = await createApp(actor, { name: "Other", slug: `count-other-${suffix}` });
  appSlug = app.slug;
  otherAppSlug = otherApp.slug;
  const sealed = encryptSecret(UPSTREAM_PASSWORD);
  const secret = { secretCiphertext: sealed.ciphertext, secretKeyVersion: sealed.keyVersion };
  await prisma.registryCredential.create({ data: { teamId: team.id, provider: "other", endpoint: registry.host, name: "vendor", username: "vendor", allowHttp: true, ...secret } });
  // Linked, but nothing listens there: every pull is an upstream error.
  await prisma.registryCredential.create({ data: { teamId: team.id, provider: "other", endpoint: `127.0.0.1:${await freePort()}`, name: "dead", username: "vendor", allowHttp: true, ...secret } });

  await newCustomer("active", app.id);
  await newCustomer("multi", app.id);
  await newCustomer("expired", app.id, { expiresAt: "2026-10-01T00:00:00.000Z" });
  await newCustomer("disabled", app.id, { registryAccess: false });
  await newCustomer("archived", app.id);
  await archiveCustomer(actor, licenses.archived!.customerId);
  await newCustomer("patterned", app.id, { imagePatterns: ["acme/api"] });
  await newCustomer("otherapp", otherApp.id);

  proxy = await startProxyProcess({ DATABASE_URL: process.env.DATABASE_URL!, PULLGATE_SECRET_KEY: process.env.PULLGATE_SECRET_KEY! });
}, 180_000);

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  if (work) await fs.promises.rm(work, { recursive: true, force: true });
});

describe("counting pulls", () => {
  it("skopeo copy --all of an index counts one pull per tag; its platform manifests are requests of that pull", async () => {
    await copy("multi", "acme/multi:1.0", { all: true });
    await copy("multi", "acme/multi:2.0", { all: true });
    const rows = await events({ customerId: licenses.multi!.customerId, action: "manifest" }, 6);
    const pulls = rows.filter((r) => r.isPull);
    expect(pulls.map((r) => [r.tag, r.digest, r.status, r.reason])).toEqual([
      ["1.0", multi.index.digest, 200, null],
      ["2.0", multi.index.digest, 200, null],
    ]);
    const platform = rows.filter((r) => !r.isPull);
    expect(platform.length).toBeGreaterThanOrEqual(4);
    expect(new Set(platform.map((r) => r.digest))).toEqual(new Set(multi.images.map((i) => i.manifest.digest)));
    // The platform manifests are attributed to the tag their index was pulled by.
    expect(new Set(platform.map((r) => r.tag))).toEqual(new Set(["1.0", "2.0"]));
    const blobs = await prisma.pullEvent.count({ where: { customerId: licenses.multi!.customerId, action: "blob" } });
    expect(blobs).toBeGreaterThan(0);
    expect(await prisma.pullEvent.count({ where: { customerId: licenses.multi!.customerId, action: "blob", isPull: true } })).toBe(0);

    const versions = await listVersionsInUse(actor, licenses.multi!.customerId);
    expect(versions).toEqual([{ repository: `proxy/${appSlug}/vendor/acme/multi`, tag: "2.0", digest: multi.index.digest, lastPulledAt: expect.any(String), pulls: 2 }]);
    await expect.poll(async () => (await prisma.customer.findUniqueOrThrow({ where: { id: licenses.multi!.customerId } })).lastPullAt, { timeout: 10_000 }).not.toBeNull();
  });

  it("a tag typo is not_found, never denied; a single-platform copy is one pull", async () => {
    await copy("active", "acme/api:1.0");
    await expect(copy("active", "acme/api:1.O")).rejects.toThrow();
    const rows = await events({ customerId: licenses.active!.customerId, isPull: true }, 2);
    expect(rows.map((r) => [r.tag, r.status, r.reason])).toEqual([
      ["1.0", 200, null],
      ["1.O", 404, "not_found"],
    ]);
  });

  it.each([
    ["expired", "expired", "acme/api:1.0", {}],
    ["disabled", "access_off", "acme/api:1.0", {}],
    ["archived", "archived", "acme/api:1.0", {}],
    ["patterned", "not_in_license", "acme/multi:1.0", {}],
    ["otherapp", "wrong_app", "acme/api:1.0", {}],
    ["active", "upstream_error", "acme/api:1.0", { registryAlias: "dead" }],
  ] as const)("%s: the failure is stored with reason %s", async (name, reason, image, options) => {
    await expect(copy(name, image, options)).rejects.toThrow();
    const rows = await events({ customerId: licenses[name]!.customerId, reason }, 1);
    expect(rows.filter((r) => r.isPull)).toHaveLength(1);
    // A license that may not pull at all is refused at login (the token request), where the client stops.
    const refusedAtLogin = reason === "expired" || reason === "access_off" || reason === "archived";
    expect(rows[0]).toMatchObject({ action: refusedAtLogin ? "token" : "manifest", reason });
  });

  it("a wrong license ID is stored for the app's team as bad_credentials", async () => {
    const wrong = "Z".repeat(27);
    await expect(
      skopeo(["copy", "--src-tls-verify=false", "--src-creds", `x:${wrong}`, ref("acme/api:1.0"), `oci:${path.join(work, "bad")}:x`]),
    ).rejects.toThrow();
    const rows = await events({ reason: "bad_credentials" }, 1);
    expect(rows[0]).toMatchObject({ customerId: null, licenseId: null, status: 401, isPull: true, repository: `proxy/${appSlug}/vendor/acme/api` });
    // Nothing is recorded for an app nobody has.
    await expect(skopeo(["inspect", "--tls-verify=false", "--creds", `x:${wrong}`, ref("acme/api:1.0", `nope-${suffix}`)])).rejects.toThrow();
    expect(await prisma.pullEvent.count({ where: { repository: { contains: `nope-${suffix}` } } })).toBe(0);
    void otherAppSlug;
  });

  it("the dashboard's figures are what SQL counts", async () => {
    const [sql] = await prisma.$queryRaw<{ pulls: bigint; denied: bigint; notFound: bigint; upstream: bigint }[]>`
      SELECT count(*) FILTER (WHERE "isPull" AND "status" < 400) AS pulls,
             count(*) FILTER (WHERE "isPull" AND "reason" IN ('expired', 'access_off', 'archived', 'not_in_license', 'wrong_app', 'bad_credentials')) AS denied,
             count(*) FILTER (WHERE "isPull" AND "reason" = 'not_found') AS "notFound",
             count(*) FILTER (WHERE "isPull" AND "reason" = 'upstream_error') AS upstream
      FROM "PullEvent" WHERE "teamId" = ${actor.teamId}`;
    const totals = totalActivity(await getPullActivity(actor, { days: 14 }));
    expect(totals).toEqual({ pulls: Number(sql!.pulls), denied: Number(sql!.denied), notFound: Number(sql!.notFound), upstreamErrors: Number(sql!.upstream) });
    // And what this suite did: 2 + 1 pulls; 5 license refusals + 1 wrong license ID; 1 typo; 1 dead registry.
    expect(totals).toEqual({ pulls: 3, denied: 6, notFound: 1, upstreamErrors: 1 });
  });
});
