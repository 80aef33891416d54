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
import { updateCustomer } from "@/lib/customers/update-customer";
import { archiveCustomer } from "@/lib/customers/archive-customer";
import { encryptSecret } from "@/lib/secrets/crypto";
import { startRegistry, type TestRegistry } from "../helpers/registry";
import { writeOciImage, writeOciIndex, type WrittenImage, type WrittenIndex } from "../helpers/oci-image";
import { startProxyProcess, type ProxyProcess } from "../helpers/proxy-process";

// End to end with real parts: Distribution with htpasswd upstream, the proxy
// process as `pullgate start` runs it, and skopeo as the customer.

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
let single: WrittenImage;
let big: WrittenImage;
let multi: WrittenIndex;
const licenses: Record<string, { id: string; customerId: string }> = {};

function basic(licenseId: string, user = "LICENSE_ID"): string {
  return `Basic ${Buffer.from(`${user}:${licenseId}`).toString("base64")}`;
}

async function get(pathname: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${proxy.url}${pathname}`, { method: init.method ?? "GET", headers: init.headers });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body, json: () => JSON.parse(body.toString("utf8")) };
}

async function skopeo(args: string[]) {
  return run("skopeo", ["--insecure-policy", ...args], { maxBuffer: 64 * 1024 * 1024 });
}

function imageRef(image: string, app = appSlug): string {
  return `${proxy.host}/proxy/${app}/vendor-reg/${image}`;
}

async function newCustomer(name: string, appId: string, extra: Record<string, unknown> = {}) {
  const c = await createCustomer(actor, { appId, name, email: `${name}@customer.test`, ...extra });
  licenses[name] = { id: c.license.licenseId, customerId: c.id };
  return c;
}

beforeAll(async () => {
  work = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-proxy-e2e-"));
  registry = await startRegistry({ auth: "htpasswd", users: { vendor: UPSTREAM_PASSWORD } });
  const layout = path.join(work, "layout");
  single = await writeOciImage(layout, { tag: "1.0", layers: [{ size: 2048 }, { size: 300_000 }] });
  await registry.push(layout, "1.0", "acme/api:1.0");
  await writeOciImage(layout, { tag: "1.1", labels: { v: "1.1" } });
  await registry.push(layout, "1.1", "acme/api:1.1");
  await writeOciImage(layout, { tag: "2.0", labels: { v: "2.0" } });
  await registry.push(layout, "2.0", "acme/api:2.0");
  multi = await writeOciIndex(layout, { tag: "multi", platforms: [{ os: "linux", architecture: "amd64" }, { os: "linux", architecture: "arm64" }] });
  await registry.push(layout, "multi", "acme/multi:1.0", { all: true });
  big = await writeOciImage(layout, { tag: "big", layers: [{ size: 50 * 1024 * 1024, seed: "big" }] });
  await registry.push(layout, "big", "acme/big:1.0");

  const { user, team } = await createVendor({ email: `vendor-${suffix}@example.com`, password: "correct horse battery", teamName: "Acme" });
  actor = { teamId: team.id, userId: user.id, tokenId: null, role: "owner", label: user.email };
  const app = await createApp(actor, { name: "Acme", slug: `acme-${suffix}` });
  const otherApp = await createApp(actor, { name: "Other", slug: `other-${suffix}` });
  appSlug = app.slug;
  otherAppSlug = otherApp.slug;

  const sealed = encryptSecret(UPSTREAM_PASSWORD);
  await prisma.registryCredential.create({
    data: { teamId: team.id, provider: "other", endpoint: registry.host, name: "vendor-reg", username: "vendor", secretCiphertext: sealed.ciphertext, secretKeyVersion: sealed.keyVersion, allowHttp: true, allApps: true },
  });
  // Linked, but only for the other app.
  await prisma.registryCredential.create({
    data: { teamId: team.id, provider: "other", endpoint: registry.host, name: "other-only", username: "vendor", secretCiphertext: sealed.ciphertext, secretKeyVersion: sealed.keyVersion, allowHttp: true, allApps: false, apps: { connect: { id: otherApp.id } } },
  });

  await newCustomer("active", app.id);
  await newCustomer("expired", app.id, { expiresAt: "2026-10-01T00:00:00.000Z" });
  await newCustomer("disabled", app.id, { registryAccess: false });
  await newCustomer("archived", app.id);
  await archiveCustomer(actor, licenses.archived!.customerId);
  await newCustomer("patterned", app.id, { imagePatterns: ["acme/api"] });
  await newCustomer("revokable", app.id);
  await newCustomer("otherapp", otherApp.id);

  proxy = await startProxyProcess({ DATABASE_URL: process.env.DATABASE_URL!, PULLGATE_SECRET_KEY: process.env.PULLGATE_SECRET_KEY! });
}, 180_000);

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  if (work) await fs.promises.rm(work, { recursive: true, force: true });
});

describe("pulling through the proxy with skopeo", () => {
  it("copies by tag with the same manifest and blob digests as the upstream", async () => {
    const dest = path.join(work, "copy-tag");
    await skopeo(["copy", "--preserve-digests", "--src-tls-verify=false", "--src-creds", `LICENSE_ID:${licenses.active!.id}`, `docker://${imageRef("acme/api:1.0")}`, `oci:${dest}:1.0`]);
    const index = JSON.parse(await fs.promises.readFile(path.join(dest, "index.json"), "utf8"));
    expect(index.manifests[0].digest).toBe(single.manifest.digest);
    const blobs = await fs.promises.readdir(path.join(dest, "blobs", "sha256"));
    for (const d of [single.config, ...single.layers]) expect(blobs).toContain(d.digest.slice(7));
  });

  it("copies by digest, and a 50 MiB layer intact", async () => {
    const dest = path.join(work, "copy-digest");
    await skopeo(["copy", "--preserve-digests", "--src-tls-verify=false", "--src-creds", `customer@example.com:${licenses.active!.id}`, `docker://${imageRef(`acme/big@${big.manifest.digest}`)}`, `oci:${dest}:big`]);
    const layer = big.layers[0]!;
    const stat = await fs.promises.stat(path.join(dest, "blobs", "sha256", layer.digest.slice(7)));
    expect(stat.size).toBe(layer.size);
  });

  it("copies a multi-arch index unchanged with --all", async () => {
    const dest = path.join(work, "copy-all");
    await skopeo(["copy", "--all", "--preserve-digests", "--src-tls-verify=false", "--src-creds", `LICENSE_ID:${licenses.active!.id}`, `docker://${imageRef("acme/multi:1.0")}`, `oci:${dest}:multi`]);
    const index = JSON.parse(await fs.promises.readFile(path.join(dest, "index.json"), "utf8"));
    expect(index.manifests[0].digest).toBe(multi.index.digest);
    const blobs = await fs.promises.readdir(path.join(dest, "blobs", "sha256"));
    for (const img of multi.images) expect(blobs).toContain(img.manifest.digest.slice(7));
  });

  it("inspects and lists tags", async () => {
    const { stdout } = await skopeo(["inspect", "--tls-verify=false", "--creds", `LICENSE_ID:${licenses.active!.id}`, `docker://${imageRef("acme/api:1.0")}`]);
    expect(JSON.parse(stdout).Digest).toBe(single.manifest.digest);
    const tags = await skopeo(["list-tags", "--tls-verify=false", "--creds", `LICENSE_ID:${licenses.active!.id}`, `docker://${imageRef("acme/api")}`]);
    expect(JSON.parse(tags.stdout).Tags).toEqual(["1.0", "1.1", "2.0"]);
  });

  it("refuses a wrong license ID", async () => {
    await expect(
      skopeo(["inspect", "--tls-verify=false", "--creds", `LICENSE_ID:${"x".repeat(27)}`, `docker://${imageRef("acme/api:1.0")}`]),
    ).rejects.toThrow(/unauthorized|401|invalid/i);
  });

  it("explains a denial to skopeo", async () => {
    await expect(
      skopeo(["inspect", "--tls-verify=false", "--creds", `LICENSE_ID:${licenses.expired!.id}`, `docker://${imageRef("acme/api:1.0")}`]),
    ).rejects.toThrow(/license expired on 2026-10-01/);
  });
});

describe("authorization on every request", () => {
  const manifestPath = (app: string, registryAlias = "vendor-reg", image = "acme/api") => `/v2/proxy/${app}/${registryAlias}/${image}/manifests/1.0`;

  it("401 for a wrong license, with the challenge", async () => {
    const res = await get(manifestPath(appSlug), { headers: { authorization: basic("A".repeat(27)) } });
    expect(res.status).toBe(401);
    expect(res.json().errors[0].code).toBe("UNAUTHORIZED");
    expect(res.headers.get("www-authenticate")).toContain(`realm="http://${proxy.host}/v2/token"`);
  });

  it.each([
    ["expired", "DENIED", 403, "license expired on 2026-10-01"],
    ["disabled", "DENIED", 403, "registry access is turned off for this license"],
    ["archived", "DENIED", 403, "customer is archived"],
    ["otherapp", "DENIED", 403, "this license is not valid for app"],
  ])("%s license → %s", async (name, code, status, message) => {
    const res = await get(manifestPath(appSlug), { headers: { authorization: basic(licenses[name]!.id) } });
    expect(res.status).toBe(status);
    expect(res.json().errors[0].code).toBe(code);
    expect(res.json().errors[0].message).toContain(message);
  });

  it("an image outside the license's patterns → DENIED", async () => {
    const ok = await get(manifestPath(appSlug), { headers: { authorization: basic(licenses.patterned!.id) } });
    expect(ok.status).toBe(200);
    const res = await get(manifestPath(appSlug, "vendor-reg", "acme/multi"), { headers: { authorization: basic(licenses.patterned!.id) } });
    expect(res.status).toBe(403);
    expect(res.json().errors[0]).toMatchObject({ code: "DENIED", message: "image not included in this license" });
  });

  it("a registry not allowed for the app, or unknown upstreams and apps → NAME_UNKNOWN", async () => {
    for (const p of [manifestPath(appSlug, "other-only"), manifestPath(appSlug, "ghcr.io"), manifestPath(`nope-${suffix}`)]) {
      const res = await get(p, { headers: { authorization: basic(licenses.active!.id) } });
      expect(res.status, p).toBe(404);
      expect(res.json().errors[0].code, p).toBe("NAME_UNKNOWN");
    }
  });

  it("revokes an already-issued token on the next request", async () => {
    const repo = `proxy/${appSlug}/vendor-reg/acme/api`;
    const tokenRes = await get(`/v2/token?service=${proxy.host}&scope=repository:${repo}:pull`, { headers: { authorization: basic(licenses.revokable!.id, "someone@example.com") } });
    expect(tokenRes.status).toBe(200);
    const body = tokenRes.json();
    expect(body.expires_in).toBeGreaterThanOrEqual(60);
    expect(body.access_token).toBe(body.token);
    const bearer = { authorization: `Bearer ${body.token}` };
    expect((await get(manifestPath(appSlug), { headers: bearer })).status).toBe(200);

    await updateCustomer(actor, licenses.revokable!.customerId, { registryAccess: false });
    const deadline = Date.now() + 10_000;
    let status = 200;
    while (Date.now() < deadline) {
      status = (await get(manifestPath(appSlug), { headers: bearer })).status;
      if (status === 403) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(403);
    await updateCustomer(actor, licenses.revokable!.customerId, { registryAccess: true });
  });

  it("grants only what the license allows at /v2/token, never failing a partial grant", async () => {
    const good = `proxy/${appSlug}/vendor-reg/acme/api`;
    const bad = `proxy/${otherAppSlug}/vendor-reg/acme/api`;
    const res = await get(`/v2/token?service=${proxy.host}&scope=repository:${good}:pull&scope=repository:${bad}:pull&account=x&client_id=y`, {
      headers: { authorization: basic(licenses.active!.id) },
    });
    expect(res.status).toBe(200);
    const claims = JSON.parse(Buffer.from(res.json().token.split(".")[1], "base64url").toString());
    expect(claims.access).toEqual([{ type: "repository", name: good, actions: ["pull"] }]);
    // An opaque reference to the license, never the license ID (tests/proxy/customer-auth.test.ts has more).
    expect(JSON.stringify(claims)).not.toContain(licenses.active!.id);
    const bearer = { authorization: `Bearer ${res.json().token}` };
    const other = await get(`/v2/proxy/${appSlug}/vendor-reg/acme/multi/manifests/1.0`, { headers: bearer });
    expect(other.status).toBe(401);
    expect(other.headers.get("www-authenticate")).toContain(`scope="repository:proxy/${appSlug}/vendor-reg/acme/multi:pull"`);
  });
});

describe("registry protocol details", () => {
  const auth = () => ({ authorization: basic(licenses.active!.id) });
  const repo = () => `/v2/proxy/${appSlug}/vendor-reg/acme/api`;

  it("GET /v2/ answers 200 with the API version header when authenticated", async () => {
    const res = await get("/v2/", { headers: auth() });
    expect(res.status).toBe(200);
    expect(res.headers.get("docker-distribution-api-version")).toBe("registry/2.0");
  });

  it("HEAD and GET of a manifest carry the same headers", async () => {
    const head = await get(`${repo()}/manifests/1.0`, { method: "HEAD", headers: { ...auth(), accept: "application/vnd.oci.image.manifest.v1+json" } });
    const full = await get(`${repo()}/manifests/1.0`, { headers: { ...auth(), accept: "application/vnd.oci.image.manifest.v1+json" } });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    for (const h of ["content-type", "docker-content-digest", "content-length"]) expect(head.headers.get(h), h).toBe(full.headers.get(h));
    expect(full.headers.get("docker-content-digest")).toBe(single.manifest.digest);
    expect(full.body.toString()).toBe(single.manifestJson);
    const byDigest = await get(`${repo()}/manifests/${single.manifest.digest}`, { headers: auth() });
    expect(byDigest.status).toBe(200);
    expect(byDigest.headers.get("docker-content-digest")).toBe(single.manifest.digest);
  });

  it("unknown manifests and blobs are MANIFEST_UNKNOWN / BLOB_UNKNOWN", async () => {
    const m = await get(`${repo()}/manifests/9.9.9`, { headers: auth() });
    expect(m.status).toBe(404);
    expect(m.json().errors[0].code).toBe("MANIFEST_UNKNOWN");
    const b = await get(`${repo()}/blobs/sha256:${"0".repeat(64)}`, { headers: auth() });
    expect(b.status).toBe(404);
    expect(b.json().errors[0].code).toBe("BLOB_UNKNOWN");
  });

  it("serves byte ranges: first bytes, middle, suffix, and 416 when unsatisfiable", async () => {
    const layer = single.layers[1]!;
    const url = `${repo()}/blobs/${layer.digest}`;
    const whole = await get(url, { headers: auth() });
    expect(whole.status).toBe(200);
    expect(whole.body.length).toBe(layer.size);
    expect(whole.headers.get("docker-content-digest")).toBe(layer.digest);

    const first = await get(url, { headers: { ...auth(), range: "bytes=0-99" } });
    expect(first.status).toBe(206);
    expect(first.headers.get("content-range")).toBe(`bytes 0-99/${layer.size}`);
    expect(first.body.equals(whole.body.subarray(0, 100))).toBe(true);

    const middle = await get(url, { headers: { ...auth(), range: "bytes=1000-1999" } });
    expect(middle.status).toBe(206);
    expect(middle.body.equals(whole.body.subarray(1000, 2000))).toBe(true);

    const suffixRange = await get(url, { headers: { ...auth(), range: "bytes=-50" } });
    expect(suffixRange.status).toBe(206);
    expect(suffixRange.body.equals(whole.body.subarray(layer.size - 50))).toBe(true);

    const bad = await get(url, { headers: { ...auth(), range: `bytes=${layer.size + 10}-` } });
    expect(bad.status).toBe(416);
  });

  it("paginates tags with the Link header rewritten to the proxy path", async () => {
    const page1 = await get(`${repo()}/tags/list?n=2`, { headers: auth() });
    expect(page1.status).toBe(200);
    expect(page1.json()).toEqual({ name: `proxy/${appSlug}/vendor-reg/acme/api`, tags: ["1.0", "1.1"] });
    const link = page1.headers.get("link")!;
    expect(link).toMatch(new RegExp(`^</v2/proxy/${appSlug}/vendor-reg/acme/api/tags/list\\?.*>; rel="next"$`));
    const next = link.slice(1, link.indexOf(">"));
    const page2 = await get(next, { headers: auth() });
    expect(page2.json().tags).toEqual(["2.0"]);
  });

  it("answers referrers from an upstream without the API (Distribution 2.8) with an empty index when there are none", async () => {
    const res = await get(`${repo()}/referrers/${single.manifest.digest}`, { headers: auth() });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [] });
  });

  it("answers malformed names with NAME_INVALID, a malformed referrers digest with DIGEST_INVALID, and pushes with 405", async () => {
    const badName = await get(`/v2/proxy/${appSlug}/vendor-reg/Acme/API/manifests/1.0`, { headers: auth() });
    expect(badName.status).toBe(400);
    expect(badName.json().errors[0].code).toBe("NAME_INVALID");
    // A malformed blob digest is a blob that is not there (404, tests/proxy/protocol.test.ts); the referrers API wants 400.
    const badDigest = await get(`${repo()}/referrers/sha256:1234`, { headers: auth() });
    expect(badDigest.status).toBe(400);
    expect(badDigest.json().errors[0].code).toBe("DIGEST_INVALID");
    for (const method of ["PUT", "POST", "PATCH", "DELETE"]) {
      const res = await get(`${repo()}/manifests/1.0`, { method, headers: auth() });
      expect(res.status, method).toBe(405);
      expect(res.json().errors[0].code).toBe("UNSUPPORTED");
    }
  });
});

describe("pull events and secrets", () => {
  it("records pull events with the right customer, action and status", async () => {
    const deadline = Date.now() + 10_000;
    let events: { action: string; status: number; customerId: string | null; repository: string }[] = [];
    while (Date.now() < deadline) {
      events = await prisma.pullEvent.findMany({ where: { teamId: actor.teamId }, select: { action: true, status: true, customerId: true, repository: true } });
      if (events.some((e) => e.action === "blob" && e.status === 206) && events.some((e) => e.status === 403)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const active = licenses.active!.customerId;
    expect(events.some((e) => e.customerId === active && e.action === "manifest" && e.status === 200)).toBe(true);
    expect(events.some((e) => e.customerId === active && e.action === "blob" && e.status === 200)).toBe(true);
    expect(events.some((e) => e.customerId === active && e.action === "tags" && e.status === 200)).toBe(true);
    expect(events.some((e) => e.customerId === licenses.expired!.customerId && e.status === 403)).toBe(true);
    expect(events.some((e) => e.customerId === licenses.revokable!.customerId && e.action === "token")).toBe(true);
  });

  it("never logs the upstream password or a license ID", () => {
    const logs = proxy.logs();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(UPSTREAM_PASSWORD);
    for (const { id } of Object.values(licenses)) expect(logs).not.toContain(id);
  });
});
