import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrisma } from "@/lib/db/client";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { createVendor } from "@/lib/teams/create-vendor";
import { createApp } from "@/lib/apps/create-app";
import { createCustomer } from "@/lib/customers/create-customer";
import { generateLicenseId } from "@/lib/licenses/generate-license-id";
import { createLogger } from "@/proxy/logger";
import { createProxyServer, type ProxyServer } from "@/proxy/server";

// Customer authentication against the real proxy server (real sockets, real
// Postgres), played as an attacker would: failed logins from a shared address
// must not lock out anyone else, and tokens must not leak the license ID.

process.env.PULLGATE_SECRET_KEY ||= randomBytes(32).toString("base64");
const suffix = randomBytes(3).toString("hex");
const HOST = "localhost:5050";

type Res = { status: number; headers: http.IncomingHttpHeaders; body: string };

function request(port: number, path: string, headers: Record<string, string> = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, headers: { host: HOST, ...headers }, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const basic = (licenseId: string, user = "LICENSE_ID") => ({ authorization: `Basic ${Buffer.from(`${user}:${licenseId}`).toString("base64")}` });

let prisma: PrismaClient;
let licenseId: string;
let licenseRowId: string;
let appSlug: string;
const servers: ProxyServer[] = [];

async function start(options: { trustForwarded?: boolean } = {}): Promise<{ proxy: ProxyServer; port: number }> {
  // A wait long enough that no test depends on how fast the machine is.
  const proxy = createProxyServer({
    prisma,
    logger: createLogger({ level: "silent" }),
    publicHost: HOST,
    authThrottle: { freeFailures: 5, baseDelayMs: 120_000 },
    ...options,
  });
  servers.push(proxy);
  await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
  return { proxy, port: (proxy.server.address() as AddressInfo).port };
}

beforeAll(async () => {
  prisma = createPrisma(process.env.DATABASE_URL, 4);
  const { user, team } = await createVendor({ email: `auth-${suffix}@example.com`, password: "correct horse battery", teamName: "Auth test" });
  const actor: Actor = { teamId: team.id, userId: user.id, tokenId: null, role: "owner", label: user.email };
  const app = await createApp(actor, { name: "Auth", slug: `auth-${suffix}` });
  appSlug = app.slug;
  const customer = await createCustomer(actor, { appId: app.id, name: "Good customer" });
  licenseId = customer.license.licenseId;
  licenseRowId = (await prisma.license.findUniqueOrThrow({ where: { licenseId }, select: { id: true } })).id;
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await prisma?.$disconnect();
});

describe("failed-login throttling", () => {
  it("lets a valid license in from an address that just had 30 failures with other credentials", async () => {
    const { port } = await start();
    // 30 failures from 127.0.0.1: some made-up license IDs, and one stale pull secret retried until throttled.
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await request(port, "/v2/", basic(generateLicenseId()))).status);
    const stale = generateLicenseId();
    for (let i = 0; i < 10; i++) statuses.push((await request(port, "/v2/", basic(stale))).status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(26); // 20 + the stale secret's 5 free failures + 1
    expect(statuses.slice(26)).toEqual([429, 429, 429, 429]);

    const base = await request(port, "/v2/", basic(licenseId));
    expect(base.status).toBe(200);
    const token = await request(port, `/v2/token?service=${HOST}&scope=repository:proxy/${appSlug}/ghcr.io/acme/api:pull`, basic(licenseId, "ops@customer.test"));
    expect(token.status).toBe(200);
    const bearer = { authorization: `Bearer ${JSON.parse(token.body).token}` };
    expect((await request(port, "/v2/", bearer)).status).toBe(200);
  });

  it("slows the same bad credential down, with Retry-After, on every endpoint and whatever username it comes with", async () => {
    const { port } = await start();
    const stale = generateLicenseId();
    for (let i = 0; i < 6; i++) expect((await request(port, "/v2/", basic(stale, `node-${i}`))).status).toBe(401);

    const refused = await request(port, "/v2/", basic(stale));
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body).errors[0].code).toBe("TOOMANYREQUESTS");
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(60);
    expect(Number(refused.headers["retry-after"])).toBeLessThanOrEqual(120);
    expect((await request(port, `/v2/token?service=${HOST}`, basic(stale, "other-user"))).status).toBe(429);
    expect((await request(port, `/v2/proxy/${appSlug}/ghcr.io/acme/api/manifests/latest`, basic(stale))).status).toBe(429);
    // A forged token is a credential like any other.
    const forged = { authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl" };
    for (let i = 0; i < 6; i++) expect((await request(port, "/v2/", forged)).status).toBe(401);
    expect((await request(port, "/v2/", forged)).status).toBe(429);
    expect((await request(port, "/v2/", basic(licenseId))).status).toBe(200);
  });

  it("groups IPv6 clients by /64, so rotating addresses does not reset the count", async () => {
    const { port } = await start({ trustForwarded: true });
    const stale = generateLicenseId();
    const from = (address: string, id = stale) => ({ ...basic(id), "x-forwarded-for": address });
    for (let i = 1; i <= 6; i++) expect((await request(port, "/v2/", from(`2001:db8:77:1::${i.toString(16)}`))).status).toBe(401);
    expect((await request(port, "/v2/", from("2001:db8:77:1:beef::42"))).status).toBe(429);
    // Another /64 (another subscriber) is not affected, nor is a valid license from the same /64.
    expect((await request(port, "/v2/", from("2001:db8:77:2::1"))).status).toBe(401);
    expect((await request(port, "/v2/", from("2001:db8:77:1::99", licenseId))).status).toBe(200);
  });
});

describe("customer tokens", () => {
  it("carry an opaque reference to the license, never the license ID, and still authenticate", async () => {
    const { port } = await start();
    const res = await request(port, `/v2/token?service=${HOST}&scope=repository:proxy/${appSlug}/ghcr.io/acme/api:pull`, basic(licenseId));
    expect(res.status).toBe(200);
    const token: string = JSON.parse(res.body).token;
    const [header, payload] = token.split(".").map((part) => Buffer.from(part, "base64url").toString("utf8"));
    const claims = JSON.parse(payload!);
    expect(header).not.toContain(licenseId);
    expect(payload).not.toContain(licenseId);
    expect(token).not.toContain(licenseId);
    expect(Object.values(claims)).not.toContain(licenseId);
    expect(claims).not.toHaveProperty("lid");
    expect(claims.sub).toBe(licenseRowId);
    expect((await request(port, "/v2/", { authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it("stop working when the license gets a new license ID", async () => {
    const { proxy, port } = await start();
    const customer = await prisma.license.findUniqueOrThrow({ where: { id: licenseRowId }, select: { customerId: true } });
    const res = await request(port, `/v2/token?service=${HOST}`, basic(licenseId));
    const bearer = { authorization: `Bearer ${JSON.parse(res.body).token}` };
    expect((await request(port, "/v2/", bearer)).status).toBe(200);
    const replacement = generateLicenseId();
    await prisma.license.update({ where: { id: licenseRowId }, data: { licenseId: replacement } });
    try {
      proxy.authorizationData.invalidate(); // what the change notification does on a replica
      expect((await request(port, "/v2/", bearer)).status).toBe(401);
    } finally {
      await prisma.license.update({ where: { customerId: customer.customerId }, data: { licenseId } });
    }
  });
});
