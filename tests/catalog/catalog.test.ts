import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { createApp } from "@/lib/apps/create-app";
import { createCustomer } from "@/lib/customers/create-customer";
import { createRegistry } from "@/lib/registries/create-registry";
import { encryptSecret } from "@/lib/secrets/crypto";
import { createUpstreamClient } from "@/lib/upstream/client";
import { readRepositories, readTags } from "@/lib/catalog/read-upstream";
import { getAppCatalog } from "@/lib/catalog/app-catalog";
import { coveredImages } from "@/lib/catalog/covered-images";
import { draftLicense } from "@/lib/licenses/decide-pull";
import * as installRoute from "@/app/api/v1/customers/[id]/install/route";
import * as catalogRoute from "@/app/api/v1/apps/[id]/catalog/route";
import * as repositoriesRoute from "@/app/api/v1/apps/[id]/repositories/route";
import * as repositoryRoute from "@/app/api/v1/apps/[id]/repositories/[repositoryId]/route";
import { startRegistry, type TestRegistry } from "../helpers/registry";
import { writeOciImage } from "../helpers/oci-image";
import { call, makeMember, makeTeam, type TeamFixture } from "../api/fixtures";

// The test registries are on loopback: allowed explicitly, as an operator would for internal registries.
process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = "127.0.0.0/8";

// The image catalog against real Distribution registries: /v2/_catalog paged
// with n= and capped, tags, the per-app list where the catalog is refused (a
// token registry that grants no catalog scope), the database cache with the
// tag TTL and its stale answer during an outage, and the install
// instructions built from it.

process.env.PULLGATE_SECRET_KEY ||= randomBytes(32).toString("base64");
const PASSWORD = `catalog-${randomBytes(8).toString("hex")}`;
const REPOS = ["acme/api", "acme/web", "acme/worker", "other/thing", "tools/cli"];

let basic: TestRegistry;
let token: TestRegistry;
let work: string;
let a: TeamFixture;
let b: TeamFixture;
let appId: string;
let appSlug: string;
let basicId: string;
let tokenId: string;

beforeAll(async () => {
  work = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-catalog-"));
  basic = await startRegistry({ auth: "htpasswd", users: { vendor: PASSWORD }, accessLog: true });
  // Grants repository pulls, never the registry:catalog:* scope: _catalog answers 401.
  token = await startRegistry({ auth: "token", users: { vendor: PASSWORD } });
  const layout = path.join(work, "layout");
  for (const tag of ["1.0", "1.1", "latest"]) await writeOciImage(layout, { tag, labels: { tag } });
  for (const repo of REPOS) await basic.push(layout, "1.0", `${repo}:1.0`);
  await basic.push(layout, "1.1", "acme/api:1.1");
  await basic.push(layout, "latest", "acme/api:latest");
  await token.push(layout, "1.0", "vendor/api:1.0");
  await token.push(layout, "1.1", "vendor/api:1.1");

  a = await makeTeam("Catalog A");
  b = await makeTeam("Catalog B");
  const app = await createApp(a.actor, { name: "Catalog app" });
  appId = app.id;
  appSlug = app.slug;
  basicId = (await createRegistry(a.actor, { provider: "other", endpoint: basic.host, name: "vendor", username: "vendor", password: PASSWORD, allowHttp: true })).id;
  tokenId = (await createRegistry(a.actor, { provider: "other", endpoint: token.host, name: "tok", username: "vendor", password: PASSWORD, allowHttp: true })).id;
  // A legacy row from before aliases were required: listed with the reason, never as a path.
  const sealed = encryptSecret(PASSWORD);
  await prisma.registryCredential.create({
    data: { teamId: a.teamId, provider: "other", endpoint: "legacy.example.com:5000", username: "u", secretCiphertext: sealed.ciphertext, secretKeyVersion: sealed.keyVersion },
  });
}, 180_000);

afterAll(async () => {
  await Promise.all([basic?.stop(), token?.stop()]);
  if (work) await fs.promises.rm(work, { recursive: true, force: true });
});

const client = (registry: TestRegistry) => createUpstreamClient({ provider: "other", endpoint: registry.host, username: "vendor", secret: PASSWORD, allowHttp: true });
const catalogGets = () => basic.accessLog().filter((l) => l.includes("GET /v2/_catalog")).length;

describe("reading the upstream", () => {
  it("pages through /v2/_catalog with n= and caps the total", async () => {
    const paged = await readRepositories(client(basic), { pageSize: 2 });
    expect(paged).toEqual({ available: true, repositories: REPOS, truncated: false });
    const log = basic.accessLog().filter((l) => l.includes("/v2/_catalog"));
    expect(log.some((l) => /_catalog\?last=[^ ]+&n=2|_catalog\?n=2&last=/.test(l))).toBe(true);
    expect(await readRepositories(client(basic), { pageSize: 2, maxRepositories: 3 })).toEqual({ available: true, repositories: REPOS.slice(0, 3), truncated: true });
  });

  it("reads tags, capped, and null for a repository that is not there", async () => {
    expect(await readTags(client(basic), "acme/api")).toEqual({ tags: ["1.0", "1.1", "latest"], truncated: false });
    expect(await readTags(client(basic), "acme/api", { maxTags: 2 })).toEqual({ tags: ["1.0", "1.1"], truncated: true });
    expect(await readTags(client(basic), "acme/nope")).toBeNull();
  });

  it("says when a registry does not list its repositories", async () => {
    const result = await readRepositories(client(token));
    expect(result).toMatchObject({ available: false });
    expect((result as { reason: string }).reason).toMatch(/does not list its repositories \(HTTP 401/);
  });
});

describe("an app's catalog", () => {
  it("lists the catalog where allowed, the app's list elsewhere, and why a host:port cannot be used", async () => {
    const add = await call(repositoriesRoute.POST, "POST", { token: a.token, params: { id: appId }, body: { registryId: tokenId, repository: "vendor/api" } });
    expect(add.status, add.text).toBe(201);
    const catalog = await getAppCatalog(a.actor, appId);
    expect(catalog.images.map((i) => i.image)).toEqual([...REPOS.map((r) => `vendor/${r}`), "tok/vendor/api"]);
    const byId = Object.fromEntries(catalog.registries.map((r) => [r.endpoint, r]));
    expect(byId[basic.host]).toMatchObject({ segment: "vendor", source: "catalog", problem: null, stale: false });
    expect(byId[token.host]).toMatchObject({ segment: "tok", source: "listed" });
    expect(byId["legacy.example.com:5000"]).toMatchObject({ segment: null, problem: expect.stringMatching(/cannot appear in an image path/) });
  });

  it("answers from the database within PULLGATE_TAG_TTL, asks again after it, and serves the last answer while the registry is down", async () => {
    await getAppCatalog(a.actor, appId);
    const before = catalogGets();
    await getAppCatalog(a.actor, appId);
    expect(catalogGets()).toBe(before);

    process.env.PULLGATE_TAG_TTL = "0";
    try {
      await getAppCatalog(a.actor, appId);
      // Distribution logs a request after answering it.
      await expect.poll(catalogGets, { timeout: 5000 }).toBeGreaterThan(before);

      await basic.kill();
      const stale = await getAppCatalog(a.actor, appId);
      const registry = stale.registries.find((r) => r.id === basicId)!;
      expect(registry).toMatchObject({ source: "catalog", stale: true });
      expect(registry.catalogError).toMatch(/did not accept a connection|could not be reached|unreachable/);
      expect(stale.images.filter((i) => i.registryId === basicId).map((i) => i.repository)).toEqual(REPOS);
    } finally {
      delete process.env.PULLGATE_TAG_TTL;
      await basic.restart();
    }
  });

  it("covers, for a license with patterns, exactly the images decidePull allows", async () => {
    const catalog = await getAppCatalog(a.actor, appId);
    const covered = coveredImages({ app: catalog.app, registries: catalog.decisionRegistries, license: draftLicense(a.teamId, appId, ["acme/*", "tok/**"]) }, catalog.images);
    expect(covered.map((i) => i.image)).toEqual(["vendor/acme/api", "vendor/acme/web", "vendor/acme/worker", "tok/vendor/api"]);
  });
});

describe("install instructions and the catalog API", () => {
  it("gives every covered image its reference through the proxy and a docker pull line", async () => {
    const customer = await createCustomer(a.actor, { appId, name: "Initech", email: "ops@initech.test", imagePatterns: ["acme/api", "tok/**"] });
    const res = await call(installRoute.GET, "GET", { token: a.token, params: { id: customer.id } });
    expect(res.status, res.text).toBe(200);
    const install = res.json.install;
    const host = install.hosts[0];
    expect(install.images.map((i: { reference: string; tag: string; pull: string; tags: string[] }) => [i.reference, i.tags, i.tag, i.pull])).toEqual([
      [`${host}/proxy/${appSlug}/vendor/acme/api`, ["1.0", "1.1", "latest"], "latest", `docker pull ${host}/proxy/${appSlug}/vendor/acme/api:latest`],
      [`${host}/proxy/${appSlug}/tok/vendor/api`, ["1.0", "1.1"], "1.1", `docker pull ${host}/proxy/${appSlug}/tok/vendor/api:1.1`],
    ]);
    expect(install.dockerLogin).toBe(`docker login ${host} -u ops@initech.test -p ${customer.license.licenseId}`);
    expect(install.rewriteRegistries).toContainEqual({ provider: "other", endpoint: basic.host, name: "vendor", usable: true });
    expect(JSON.stringify(install)).not.toContain(PASSWORD);
    // Another team's customer is not found.
    expect((await call(installRoute.GET, "GET", { token: b.token, params: { id: customer.id } })).status).toBe(404);
  });

  it("GET /apps/{id}/catalog lists images with tags; team B gets 404", async () => {
    const res = await call(catalogRoute.GET, "GET", { token: a.token, params: { id: appId } });
    expect(res.status).toBe(200);
    const api = res.json.catalog.images.find((i: { image: string }) => i.image === "vendor/acme/api");
    expect(api).toMatchObject({ registryId: basicId, inCatalog: true, listedId: null, tags: ["1.0", "1.1", "latest"] });
    expect(JSON.stringify(res.json)).not.toContain(PASSWORD);
    expect((await call(catalogRoute.GET, "GET", { token: b.token, params: { id: appId } })).status).toBe(404);
  });

  it("validates listed repositories, refuses duplicates, other teams and read-only members, and removes them", async () => {
    const post = (token: string, body: unknown) => call(repositoriesRoute.POST, "POST", { token, params: { id: appId }, body });
    for (const [body, field] of [
      [{ registryId: basicId, repository: `${basic.host}/acme/api:1.0` }, "repository"],
      [{ registryId: basicId, repository: "" }, "repository"],
      [{ registryId: "nope", repository: "acme/x" }, "registryId"],
      [{ registryId: basicId, repository: "acme/x", extra: 1 }, "extra"],
    ] as const) {
      const res = await post(a.token, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.issues.map((i: { path: string }) => i.path)).toContain(field);
    }
    expect((await post(a.token, { registryId: tokenId, repository: "vendor/api" })).status).toBe(409);
    const bRegistry = await createRegistry(b.actor, { provider: "quay", username: "robot", password: "x", skipValidation: true });
    expect((await post(a.token, { registryId: bRegistry.id, repository: "acme/x" })).status).toBe(400);
    expect((await post(b.token, { registryId: bRegistry.id, repository: "acme/x" })).status).toBe(404);
    const member = await makeMember(a.teamId);
    expect((await post(member.token, { registryId: basicId, repository: "acme/x" })).status).toBe(403);

    const listed = await call(repositoriesRoute.GET, "GET", { token: a.token, params: { id: appId } });
    const entry = listed.json.repositories.find((r: { repository: string }) => r.repository === "vendor/api");
    expect((await call(repositoryRoute.DELETE, "DELETE", { token: b.token, params: { id: appId, repositoryId: entry.id } })).status).toBe(404);
    expect((await call(repositoryRoute.DELETE, "DELETE", { token: a.token, params: { id: appId, repositoryId: entry.id } })).status).toBe(204);
    expect((await getAppCatalog(a.actor, appId)).images.some((i) => i.registryId === tokenId)).toBe(false);
    const audit = await prisma.auditEvent.findMany({ where: { teamId: a.teamId, action: { startsWith: "app.repository." } }, orderBy: { time: "asc" } });
    expect(audit.map((e) => e.action)).toEqual(["app.repository.add", "app.repository.remove"]);
  });
});
