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
import { encryptSecret } from "@/lib/secrets/crypto";
import { createLogger } from "@/proxy/logger";
import { createProxyServer, type ProxyServer } from "@/proxy/server";

// Team B's customer uses B's (valid, active) license against team A's app on
// the proxy's default host. The answer must read exactly like an app that does
// not exist (no "not valid for app", which would confirm A's slug), and the
// pull event must stay with team B: nothing of B's customer or license may
// land in team A's pull log. No upstream is reached: the refusal comes first.

process.env.PULLGATE_SECRET_KEY ||= randomBytes(32).toString("base64");
const suffix = randomBytes(3).toString("hex");
const HOST = "localhost:5051";

let prisma: PrismaClient;
let proxy: ProxyServer;
let port: number;
let teamA: { teamId: string; appSlug: string };
let teamB: { teamId: string; licenseId: string; customerId: string };

async function vendor(name: string): Promise<Actor> {
  const { user, team } = await createVendor({ email: `${name.toLowerCase().replace(" ", "-")}-${suffix}@example.com`, password: "correct horse battery", teamName: name });
  const actor: Actor = { teamId: team.id, userId: user.id, tokenId: null, role: "owner", label: user.email };
  // Both teams link a registry under the same alias: the path resolves for either.
  const sealed = encryptSecret("x");
  await prisma.registryCredential.create({
    data: { teamId: team.id, provider: "other", endpoint: "registry.example.com", name: "vendor-reg", username: "vendor", secretCiphertext: sealed.ciphertext, secretKeyVersion: sealed.keyVersion, allowHttp: false, allApps: true },
  });
  return actor;
}

function get(path: string, licenseId: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const authorization = `Basic ${Buffer.from(`LICENSE_ID:${licenseId}`).toString("base64")}`;
    const req = http.request({ host: "127.0.0.1", port, path, headers: { host: HOST, authorization }, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  prisma = createPrisma(process.env.DATABASE_URL, 4);
  const a = await vendor("Tenant A");
  const appA = await createApp(a, { name: "A app", slug: `tenant-a-${suffix}` });
  teamA = { teamId: a.teamId, appSlug: appA.slug };
  const b = await vendor("Tenant B");
  const appB = await createApp(b, { name: "B app", slug: `tenant-b-${suffix}` });
  const customer = await createCustomer(b, { appId: appB.id, name: "B customer" });
  teamB = { teamId: b.teamId, licenseId: customer.license.licenseId, customerId: customer.id };
  proxy = createProxyServer({ prisma, logger: createLogger({ level: "silent" }), publicHost: HOST });
  await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
  port = (proxy.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await proxy?.close();
  await prisma?.$disconnect();
});

describe("a license used against another team's app on the default host", () => {
  it("answers the generic NAME_UNKNOWN and records no pull event under the other team", async () => {
    const theirs = await get(`/v2/proxy/${teamA.appSlug}/vendor-reg/acme/api/manifests/1.0`, teamB.licenseId);
    const missing = await get(`/v2/proxy/${teamA.appSlug}-x/vendor-reg/acme/api/manifests/1.0`, teamB.licenseId);
    expect(theirs.status, theirs.body).toBe(404);
    const error = JSON.parse(theirs.body).errors[0];
    expect(error.code).toBe("NAME_UNKNOWN");
    expect(error.message).toBe(`repository name not known to registry: unknown app "${teamA.appSlug}"`);
    // Word for word what an app that does not exist gets.
    expect(error.message).toBe(JSON.parse(missing.body).errors[0].message.replace(`${teamA.appSlug}-x`, teamA.appSlug));
    expect(theirs.body).not.toContain("not valid for app");

    await proxy.pullEvents.flush();
    expect(await prisma.pullEvent.count({ where: { teamId: teamA.teamId } })).toBe(0);
    expect(await prisma.pullEvent.count({ where: { customerId: teamB.customerId, appId: { not: null } } })).toBe(0);
    // The refusal itself is kept, with the license's own team.
    const own = await prisma.pullEvent.findMany({ where: { licenseId: teamB.licenseId }, select: { teamId: true, status: true, reason: true } });
    expect(own).toContainEqual({ teamId: teamB.teamId, status: 404, reason: "not_found" });
  });

  it("grants no access to it in a token either", async () => {
    const res = await get(`/v2/token?service=${HOST}&scope=repository:proxy/${teamA.appSlug}/vendor-reg/acme/api:pull`, teamB.licenseId);
    expect(res.status).toBe(200);
    const claims = JSON.parse(Buffer.from(JSON.parse(res.body).token.split(".")[1], "base64url").toString("utf8"));
    expect(JSON.stringify(claims)).not.toContain(teamA.appSlug);
    await proxy.pullEvents.flush();
    expect(await prisma.pullEvent.count({ where: { teamId: teamA.teamId } })).toBe(0);
  });
});
