import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from "jose";
import * as appsRoute from "@/app/api/v1/apps/route";
import * as customersRoute from "@/app/api/v1/customers/route";
import * as customerRoute from "@/app/api/v1/customers/[id]/route";
import * as licenseFileRoute from "@/app/api/v1/customers/[id]/license-file/route";
import * as signingKeysRoute from "@/app/api/v1/signing-keys/route";
import * as rotateRoute from "@/app/api/v1/signing-keys/rotate/route";
import * as wellKnownRoute from "@/app/.well-known/pullgate/[teamId]/jwks.json/route";
import { prisma, createPrisma } from "@/lib/db/client";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { createLogger } from "@/proxy/logger";
import { createProxyServer, type ProxyServer } from "@/proxy/server";
import { call, makeMember, makeTeam, type TeamFixture } from "../api/fixtures";

// Signed license files (issue 18): what a vendor's application verifies
// offline with the published JWKS, and what it fetches online from the proxy.

process.env.PULLGATE_SECRET_KEY ||= randomBytes(32).toString("base64");
const HOST = "localhost:5050";
const DAY = 86_400_000;

let a: TeamFixture;
let b: TeamFixture;
let appSlug: string;
let customerId: string;
let licenseId: string;
let otherCustomerId: string;
let otherLicenseId: string;
let proxyPrisma: PrismaClient;
let proxy: ProxyServer;
let proxyPort: number;

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: proxyPort, path, headers: { host: HOST, ...headers }, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const basic = (id: string) => ({ authorization: `Basic ${Buffer.from(`LICENSE_ID:${id}`).toString("base64")}` });

async function publishedJwks(teamId: string): Promise<JSONWebKeySet> {
  const res = await wellKnownRoute.GET(new Request(`http://portal.test/.well-known/pullgate/${teamId}/jwks.json`), {
    params: Promise.resolve({ teamId }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("cache-control")).toContain("public");
  return (await res.json()) as JSONWebKeySet;
}

async function downloadFile(customer = customerId, token = a.token) {
  return call(licenseFileRoute.GET, "GET", { token, params: { id: customer } });
}

beforeAll(async () => {
  a = await makeTeam("Licenses A");
  b = await makeTeam("Licenses B");
  appSlug = `lic-${randomUUID().slice(0, 8)}`;
  const appId = (await call(appsRoute.POST, "POST", { token: a.token, body: { name: "Licensed", slug: appSlug } })).json.app.id;
  const created = await call(customersRoute.POST, "POST", {
    token: a.token,
    body: {
      appId,
      name: "Globex",
      customId: "crm-7",
      type: "paid",
      expiresAt: new Date(Date.now() + 90 * DAY).toISOString(),
      imagePatterns: ["globex/*"],
      entitlements: { seats: 10, tier: "gold", sso: true },
    },
  });
  expect(created.status).toBe(201);
  customerId = created.json.customer.id;
  licenseId = created.json.customer.license.licenseId;
  const other = await call(customersRoute.POST, "POST", { token: a.token, body: { appId, name: "Initech" } });
  otherCustomerId = other.json.customer.id;
  otherLicenseId = other.json.customer.license.licenseId;

  proxyPrisma = createPrisma(process.env.DATABASE_URL, 2);
  proxy = createProxyServer({ prisma: proxyPrisma, logger: createLogger({ level: "silent" }), publicHost: HOST });
  await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
  proxyPort = (proxy.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await proxy?.close();
  await proxyPrisma?.$disconnect();
});

describe("license file", () => {
  it("downloaded through the API verifies against the published JWKS and carries the license", async () => {
    const res = await downloadFile();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/jwt");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="license-${appSlug}-${customerId}.jwt"`);
    const jwks = await publishedJwks(a.teamId);
    const { payload, protectedHeader } = await jwtVerify(res.text, createLocalJWKSet(jwks), { issuer: "pullgate", algorithms: ["EdDSA"] });
    expect(protectedHeader).toMatchObject({ alg: "EdDSA", typ: "pullgate-license+jwt" });
    expect(jwks.keys.map((k) => k.kid)).toContain(protectedHeader.kid);
    expect(payload).toMatchObject({
      teamId: a.teamId,
      licenseId,
      customer: { id: customerId, name: "Globex", customId: "crm-7", type: "paid" },
      appSlug,
      registryAccess: true,
      imagePatterns: ["globex/*"],
      entitlements: { seats: 10, tier: "gold", sso: true },
      archived: false,
    });
    expect(payload.exp).toBe(Math.floor(new Date(payload.expiresAt as string).getTime() / 1000));
    expect(Math.abs((payload.iat as number) - Date.now() / 1000)).toBeLessThan(60);
    // The API's JWK Set is the published one.
    const api = await call(signingKeysRoute.GET, "GET", { token: a.token });
    expect(api.status).toBe(200);
    expect(api.json).toEqual(jwks);
    expect(jwks.keys[0]).toEqual({ kty: "OKP", crv: "Ed25519", x: expect.any(String), kid: protectedHeader.kid, alg: "EdDSA", use: "sig" });
  });

  it("fails to verify after one byte of the payload changes", async () => {
    const token = (await downloadFile()).text;
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const bytes = Buffer.from(payload, "base64url");
    const at = bytes.indexOf(Buffer.from('"seats":10')) + '"seats":1'.length;
    expect(at).toBeGreaterThan(10);
    bytes[at] = "9".charCodeAt(0); // seats 10 → 19
    const tampered = `${header}.${bytes.toString("base64url")}.${signature}`;
    const jwks = createLocalJWKSet(await publishedJwks(a.teamId));
    await expect(compactVerify(token, jwks)).resolves.toBeTruthy();
    await expect(compactVerify(tampered, jwks)).rejects.toThrow(/signature verification failed/);
  });

  it("keeps the private key sealed at rest", async () => {
    const rows = await prisma.signingKey.findMany({ where: { teamId: a.teamId } });
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.privateKeyCiphertext).toMatch(/^v\d+\.[0-9a-f]{8}:/);
      expect(row.privateKeyCiphertext).not.toContain('"d"');
      expect(JSON.stringify(row.publicJwk)).not.toContain('"d"');
    }
  });

  it("after a PATCH the file and /v1/license reflect the change and verify", async () => {
    const patched = await call(customerRoute.PATCH, "PATCH", {
      token: a.token,
      params: { id: customerId },
      body: { entitlements: { seats: 25, tier: "platinum" }, registryAccess: false },
    });
    expect(patched.status).toBe(200);
    const jwks = createLocalJWKSet(await publishedJwks(a.teamId));

    const file = await jwtVerify((await downloadFile()).text, jwks);
    expect(file.payload).toMatchObject({ entitlements: { seats: 25, tier: "platinum" }, registryAccess: false });

    const online = await get("/v1/license", basic(licenseId));
    expect(online.status).toBe(200);
    expect(online.headers["content-type"]).toBe("application/jwt");
    expect(online.headers["cache-control"]).toBe("private, max-age=60");
    expect(online.headers.vary).toBe("Authorization");
    const verified = await jwtVerify(online.body, jwks);
    expect(verified.payload).toMatchObject({ licenseId, entitlements: { seats: 25, tier: "platinum" }, registryAccess: false });

    // The proxy host publishes the same keys.
    const proxyJwks = await get(`/.well-known/pullgate/${a.teamId}/jwks.json`);
    expect(proxyJwks.status).toBe(200);
    expect(proxyJwks.headers["cache-control"]).toContain("public");
    expect(JSON.parse(proxyJwks.body)).toEqual(await publishedJwks(a.teamId));
  });

  it("/v1/license answers each license ID with its own license only, and refuses unknown or missing credentials", async () => {
    const other = await get("/v1/license", basic(otherLicenseId));
    expect(other.status).toBe(200);
    const { payload } = await jwtVerify(other.body, createLocalJWKSet(await publishedJwks(a.teamId)));
    expect(payload).toMatchObject({ licenseId: otherLicenseId, customer: { id: otherCustomerId, name: "Initech" } });
    expect(other.body).not.toContain(licenseId);
    expect(JSON.stringify(payload)).not.toContain(customerId);

    const unknown = await get("/v1/license", basic("Zz9".repeat(9)));
    expect(unknown.status).toBe(401);
    expect(unknown.body).not.toContain("Globex");
    const none = await get("/v1/license");
    expect(none.status).toBe(401);
    expect(none.headers["www-authenticate"]).toContain("Basic");
    // A customer's token cannot stand in (Basic with the license ID only), and the host must be ours.
    expect((await get("/v1/license", { authorization: `Bearer ${licenseId}` })).status).toBe(401);
    expect((await get("/v1/license", { ...basic(licenseId), host: "evil.example.com" })).status).toBe(404);
  });

  it("on a custom domain, /v1/license answers only that team's licenses", async () => {
    const hostname = `licenses-${randomUUID().slice(0, 8)}.example.com`;
    await prisma.customDomain.create({ data: { teamId: b.teamId, hostname, verificationToken: "t", status: "verified", verifiedAt: new Date() } });
    const bApp = (await call(appsRoute.POST, "POST", { token: b.token, body: { name: "B", slug: `lic-b-${randomUUID().slice(0, 8)}` } })).json.app.id;
    const bLicense = (await call(customersRoute.POST, "POST", { token: b.token, body: { appId: bApp, name: "B's customer" } })).json.customer.license.licenseId;
    const onB = (id: string) => get("/v1/license", { ...basic(id), host: hostname });
    expect((await onB(licenseId)).status).toBe(401);
    const own = await onB(bLicense);
    expect(own.status).toBe(200);
    const { payload } = await jwtVerify(own.body, createLocalJWKSet(await publishedJwks(b.teamId)));
    expect(payload).toMatchObject({ teamId: b.teamId, licenseId: bLicense });
  });

  it("team B cannot fetch team A's license file or keys through the API", async () => {
    const theirs = await downloadFile(customerId, b.token);
    expect(theirs.status).toBe(404);
    expect(theirs.text).not.toContain(licenseId);
    const keysA = await call(signingKeysRoute.GET, "GET", { token: a.token });
    const keysB = await call(signingKeysRoute.GET, "GET", { token: b.token });
    expect(keysB.status).toBe(200);
    const kidsA = keysA.json.keys.map((k: { kid: string }) => k.kid);
    for (const key of keysB.json.keys) expect(kidsA).not.toContain(key.kid);
    // A's file does not verify with B's keys.
    await expect(jwtVerify((await downloadFile()).text, createLocalJWKSet(keysB.json))).rejects.toThrow();
    expect((await call(signingKeysRoute.GET, "GET", {})).status).toBe(401);
    const unknownTeam = await wellKnownRoute.GET(new Request("http://portal.test/x"), { params: Promise.resolve({ teamId: "c".repeat(25) }) });
    expect(unknownTeam.status).toBe(404);
  });

  it("rotation signs new files with a new key and keeps the old one published while its licenses may be valid", async () => {
    const before = (await downloadFile()).text;
    const oldKid = decodeProtectedHeader(before).kid;
    const member = await makeMember(a.teamId);
    expect((await call(rotateRoute.POST, "POST", { token: member.token })).status).toBe(403);
    const rotated = await call(rotateRoute.POST, "POST", { token: a.token });
    expect(rotated.status).toBe(200);
    expect(rotated.json.kid).not.toBe(oldKid);

    const after = (await downloadFile()).text;
    expect(decodeProtectedHeader(after).kid).toBe(rotated.json.kid);
    const jwks = await publishedJwks(a.teamId);
    expect(jwks.keys.map((k) => k.kid)).toEqual([rotated.json.kid, oldKid]);
    await expect(jwtVerify(before, createLocalJWKSet(jwks))).resolves.toBeTruthy();
    await expect(jwtVerify(after, createLocalJWKSet(jwks))).resolves.toBeTruthy();
    // Initech never expires, so the old key stays published for good.
    const old = await prisma.signingKey.findUniqueOrThrow({ where: { kid: oldKid! } });
    expect(old.retiredAt).not.toBeNull();
    expect(old.publishedUntil).toBeNull();
  });

  it("a retired key is unpublished once the licenses it signed have expired", async () => {
    const team = await makeTeam("Licenses C");
    const appId = (await call(appsRoute.POST, "POST", { token: team.token, body: { name: "C", slug: `c-${randomUUID().slice(0, 8)}` } })).json.app.id;
    const c = await call(customersRoute.POST, "POST", {
      token: team.token,
      body: { appId, name: "Short", expiresAt: new Date(Date.now() + 2 * DAY).toISOString() },
    });
    const first = (await downloadFile(c.json.customer.id, team.token)).text;
    const oldKid = decodeProtectedHeader(first).kid;
    await call(rotateRoute.POST, "POST", { token: team.token });
    expect((await publishedJwks(team.teamId)).keys.map((k) => k.kid)).toContain(oldKid);
    const { publishedJwks: jwksAt } = await import("@/lib/signing-keys/published-keys");
    const later = await jwksAt(prisma, team.teamId, new Date(Date.now() + 3 * DAY));
    expect(later.keys.map((k) => k.kid)).not.toContain(oldKid);
    expect(later.keys).toHaveLength(1);
  });
});
