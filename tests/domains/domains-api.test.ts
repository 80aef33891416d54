import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { randomUUID } from "node:crypto";
import * as domainsRoute from "@/app/api/v1/domains/route";
import * as domainRoute from "@/app/api/v1/domains/[id]/route";
import * as verifyRoute from "@/app/api/v1/domains/[id]/verify/route";
import * as defaultRoute from "@/app/api/v1/domains/[id]/default/route";
import * as appsRoute from "@/app/api/v1/apps/route";
import { prisma } from "@/lib/db/client";
import { proxyHostsForApp } from "@/lib/customers/get-customer-pull-secret";
import { call, makeMember, makeTeam, type TeamFixture } from "../api/fixtures";
import { startDnsServer, type TestDnsServer } from "../helpers/dns-server";

let dns: TestDnsServer;
let a: TeamFixture;
let b: TeamFixture;

const uniqueHost = (label = "registry") => `${label}.${randomUUID().slice(0, 8)}.acme.test`;

async function add(team: TeamFixture, body: Record<string, unknown>) {
  return call(domainsRoute.POST, "POST", { token: team.token, body });
}

/** A domain of the team, verified through the test DNS server. */
async function verifiedDomain(team: TeamFixture, body: Record<string, unknown> = {}) {
  const created = await add(team, { hostname: uniqueHost(), ...body });
  expect(created.status).toBe(201);
  const domain = created.json.domain;
  dns.zone.set(domain.verification.name, { txt: [[domain.verification.value]] });
  const verified = await call(verifyRoute.POST, "POST", { token: team.token, params: { id: domain.id } });
  expect(verified.json.domain.status).toBe("verified");
  return verified.json.domain;
}

async function domainsSnapshot(teamId: string): Promise<string> {
  const [domains, audit] = await Promise.all([
    prisma.customDomain.findMany({ where: { teamId }, orderBy: { id: "asc" } }),
    prisma.auditEvent.count({ where: { teamId } }),
  ]);
  return JSON.stringify({ domains, audit });
}

beforeAll(async () => {
  dns = await startDnsServer();
  // Restored in afterAll, so later files in the same process see the real settings.
  vi.stubEnv("PROXY_PUBLIC_HOST", "proxy.pullgate.test:5050");
  vi.stubEnv("PULLGATE_DNS_SERVERS", dns.address);
  a = await makeTeam("Domains A");
  b = await makeTeam("Domains B");
});

afterAll(async () => {
  await dns?.close();
  vi.unstubAllEnvs();
});

describe("/api/v1/domains", () => {
  it("adds, lists, gets and removes a domain with the documented shape", async () => {
    const hostname = uniqueHost();
    const created = await add(a, { hostname: `  ${hostname.toUpperCase()}. ` });
    expect(created.status).toBe(201);
    const domain = created.json.domain;
    expect(Object.keys(domain).sort()).toEqual(
      ["appId", "cnameTarget", "cnameWarning", "failureReason", "hostname", "id", "isDefault", "lastCheckedAt", "status", "verification", "verifiedAt"].sort(),
    );
    expect(domain).toMatchObject({ hostname, appId: null, status: "pending", cnameTarget: "proxy.pullgate.test", isDefault: false });
    expect(domain.verification).toEqual({ type: "TXT", name: `_pullgate-challenge.${hostname}`, value: expect.stringMatching(/^pullgate-verify-/) });

    const list = await call(domainsRoute.GET, "GET", { token: a.token });
    expect(list.status).toBe(200);
    expect(list.json.domains).toContainEqual(domain);
    const got = await call(domainRoute.GET, "GET", { token: a.token, params: { id: domain.id } });
    expect(got.json.domain).toEqual(domain);

    const removed = await call(domainRoute.DELETE, "DELETE", { token: a.token, params: { id: domain.id } });
    expect(removed.status).toBe(204);
    expect(await prisma.customDomain.findUnique({ where: { id: domain.id } })).toBeNull();
    expect((await call(domainRoute.GET, "GET", { token: a.token, params: { id: domain.id } })).status).toBe(404);

    const audit = await prisma.auditEvent.findMany({ where: { teamId: a.teamId, targetId: domain.id }, orderBy: { time: "asc" } });
    expect(audit.map((e) => e.action)).toEqual(["domain.create", "domain.delete"]);
    expect(audit[0]!.after).toMatchObject({ hostname });
  });

  it("gives every claim its own unpredictable verification token: per team and per re-add of the same name", async () => {
    // A token derived from the hostname would let team B publish the TXT record team A is
    // asked for (or read it off A's DNS and reuse it after a remove): each claim draws its own.
    const hostname = uniqueHost("claimed");
    const first = await add(a, { hostname });
    const rival = await add(b, { hostname });
    expect(first.status).toBe(201);
    expect(rival.status).toBe(201);
    const tokenOf = (res: typeof first) => res.json.domain.verification.value as string;
    expect(tokenOf(first)).toMatch(/^pullgate-verify-[0-9a-f]{40}$/);
    expect(tokenOf(rival)).toMatch(/^pullgate-verify-[0-9a-f]{40}$/);
    expect(tokenOf(rival)).not.toBe(tokenOf(first));

    expect((await call(domainRoute.DELETE, "DELETE", { token: a.token, params: { id: first.json.domain.id } })).status).toBe(204);
    const again = await add(a, { hostname });
    expect(again.status).toBe(201);
    expect(tokenOf(again)).not.toBe(tokenOf(first));
    expect(tokenOf(again)).not.toBe(tokenOf(rival));
    // Nothing of the name is in it.
    for (const token of [tokenOf(first), tokenOf(rival), tokenOf(again)]) expect(token).not.toContain(hostname.split(".")[1]!);
    for (const res of [again, rival]) {
      const owner = res === again ? a : b;
      expect((await call(domainRoute.DELETE, "DELETE", { token: owner.token, params: { id: res.json.domain.id } })).status).toBe(204);
    }
  });

  it("converts an internationalized name to punycode", async () => {
    const id = randomUUID().slice(0, 8);
    const res = await add(a, { hostname: `Bücher.${id}.Example` });
    expect(res.status).toBe(201);
    expect(res.json.domain.hostname).toBe(`xn--bcher-kva.${id}.example`);
  });

  it.each([
    ["an IPv4 address", "203.0.113.7", "IP addresses cannot be verified"],
    ["an IPv6 address", "2001:db8::1", "IP addresses cannot be verified"],
    ["a bracketed IPv6 address", "[::1]", "IP addresses cannot be verified"],
    ["a wildcard", "*.acme.test", "Wildcards are not supported"],
    ["the default proxy host", "Proxy.Pullgate.test", "This is the default proxy host"],
    ["a name over 253 characters", `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.${"e".repeat(60)}.example`, "at most 253 characters"],
    ["a label over 63 characters", `${"a".repeat(64)}.example`, "at most 63 characters"],
    ["a URL", "https://registry.acme.test/v2", "without scheme, port, path"],
    ["a port", "registry.acme.test:443", "without scheme, port, path"],
    ["a single label", "localhost", "fully qualified"],
    ["underscores", "bad_name.acme.test", "not a valid DNS name"],
    ["a leading hyphen", "-bad.acme.test", "not a valid DNS name"],
    ["an empty name", "", "Enter a host name"],
  ])("refuses %s with 400 naming hostname", async (_what, hostname, message) => {
    const before = await domainsSnapshot(a.teamId);
    const res = await add(a, { hostname });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("invalid_request");
    expect(res.json.error.issues).toEqual([{ path: "hostname", message: expect.stringContaining(message) }]);
    expect(await domainsSnapshot(a.teamId)).toBe(before);
  });

  it("refuses unknown fields, a missing hostname and an app of another team", async () => {
    expect((await add(a, { hostname: uniqueHost(), extra: 1 })).json.error.issues).toEqual([{ path: "extra", message: "Unknown field." }]);
    expect((await add(a, {})).status).toBe(400);
    const bApp = await call(appsRoute.POST, "POST", { token: b.token, body: { name: "B app", slug: `b-${randomUUID().slice(0, 8)}` } });
    const res = await add(a, { hostname: uniqueHost(), appId: bApp.json.app.id });
    expect(res.status).toBe(400);
    expect(res.json.error.issues).toEqual([{ path: "appId", message: "No app with this ID in your team." }]);
  });

  it("limits a domain to one of the team's apps", async () => {
    const app = await call(appsRoute.POST, "POST", { token: a.token, body: { name: "Limited", slug: `lim-${randomUUID().slice(0, 8)}` } });
    const res = await add(a, { hostname: uniqueHost(), appId: app.json.app.id });
    expect(res.status).toBe(201);
    expect(res.json.domain.appId).toBe(app.json.app.id);
  });

  it("answers 409 for a hostname another team has verified, without naming the team; a pending claim blocks nobody", async () => {
    const taken = await verifiedDomain(b);
    const res = await add(a, { hostname: taken.hostname.toUpperCase() });
    expect(res.status).toBe(409);
    expect(res.json).toEqual({ error: { code: "conflict", message: "This hostname is already claimed." } });
    expect(res.text).not.toContain("Domains B");
    expect(res.text).not.toContain(b.teamId);

    const pending = uniqueHost();
    expect((await add(b, { hostname: pending })).status).toBe(201);
    expect((await add(a, { hostname: pending })).status).toBe(201);
    for (const [team, hostname] of [[b, pending], [b, taken.hostname]] as const) {
      const again = await add(team, { hostname });
      expect(again.status).toBe(409);
      expect(again.json.error.message).toBe("Your team has already added this hostname.");
    }
  });

  it("sets one default per team, only for verified domains, and pull secrets list it first", async () => {
    const team = await makeTeam("Domains default");
    const first = await verifiedDomain(team);
    const second = await verifiedDomain(team);
    const pending = (await add(team, { hostname: uniqueHost() })).json.domain;

    const refused = await call(defaultRoute.POST, "POST", { token: team.token, params: { id: pending.id } });
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toBe("Only a verified domain can be the default: verify it first.");

    expect((await call(defaultRoute.POST, "POST", { token: team.token, params: { id: first.id } })).json.domain.isDefault).toBe(true);
    expect((await call(defaultRoute.POST, "POST", { token: team.token, params: { id: second.id } })).json.domain.isDefault).toBe(true);
    const defaults = await prisma.customDomain.findMany({ where: { teamId: team.teamId, isDefault: true } });
    expect(defaults.map((d) => d.id)).toEqual([second.id]);

    const app = await call(appsRoute.POST, "POST", { token: team.token, body: { name: "Secrets", slug: `sec-${randomUUID().slice(0, 8)}` } });
    expect(await proxyHostsForApp(team.teamId, app.json.app.id)).toEqual([second.hostname, "proxy.pullgate.test:5050", first.hostname]);

    const cleared = await call(defaultRoute.DELETE, "DELETE", { token: team.token, params: { id: second.id } });
    expect(cleared.json.domain.isDefault).toBe(false);
    expect(await proxyHostsForApp(team.teamId, app.json.app.id)).toEqual(["proxy.pullgate.test:5050", first.hostname, second.hostname]);

    const actions = (await prisma.auditEvent.findMany({ where: { teamId: team.teamId, action: { startsWith: "domain." } } })).map((e) => e.action);
    expect(actions.filter((x) => x === "domain.set_default")).toHaveLength(2);
    expect(actions).toContain("domain.unset_default");
  });

  it("keeps teams apart: another team's token gets 404 on every domain route and changes nothing", async () => {
    const domain = await verifiedDomain(a);
    const before = await domainsSnapshot(a.teamId);
    const params = { id: domain.id };
    const attempts = [
      await call(domainRoute.GET, "GET", { token: b.token, params }),
      await call(domainRoute.DELETE, "DELETE", { token: b.token, params }),
      await call(verifyRoute.POST, "POST", { token: b.token, params }),
      await call(defaultRoute.POST, "POST", { token: b.token, params }),
      await call(defaultRoute.DELETE, "DELETE", { token: b.token, params }),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ error: { code: "not_found", message: "Domain not found." } });
    }
    const list = await call(domainsRoute.GET, "GET", { token: b.token });
    expect(list.json.domains.map((d: { id: string }) => d.id)).not.toContain(domain.id);
    expect(await domainsSnapshot(a.teamId)).toBe(before);
  });

  it("lets members read but refuses every change with 403", async () => {
    const domain = await verifiedDomain(a);
    const member = await makeMember(a.teamId);
    expect((await call(domainsRoute.GET, "GET", { token: member.token })).status).toBe(200);
    expect((await call(domainRoute.GET, "GET", { token: member.token, params: { id: domain.id } })).status).toBe(200);
    const before = await domainsSnapshot(a.teamId);
    const attempts = [
      await call(domainsRoute.POST, "POST", { token: member.token, body: { hostname: uniqueHost() } }),
      await call(domainRoute.DELETE, "DELETE", { token: member.token, params: { id: domain.id } }),
      await call(verifyRoute.POST, "POST", { token: member.token, params: { id: domain.id } }),
      await call(defaultRoute.POST, "POST", { token: member.token, params: { id: domain.id } }),
      await call(defaultRoute.DELETE, "DELETE", { token: member.token, params: { id: domain.id } }),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(403);
      expect(res.json.error.code).toBe("forbidden");
    }
    expect(await domainsSnapshot(a.teamId)).toBe(before);
  });

  it("401 without a token", async () => {
    expect((await call(domainsRoute.GET, "GET", {})).status).toBe(401);
    expect((await call(domainsRoute.POST, "POST", { body: { hostname: uniqueHost() } })).status).toBe(401);
  });
});

describe("OpenAPI", () => {
  it("documents the domain routes and the create schema", async () => {
    const { buildOpenApiDocument } = await import("@/lib/api/openapi");
    const doc = buildOpenApiDocument() as { paths: Record<string, unknown>; components: { schemas: Record<string, { required?: string[]; properties?: Record<string, unknown> }> } };
    for (const path of ["/api/v1/domains", "/api/v1/domains/{id}", "/api/v1/domains/{id}/verify", "/api/v1/domains/{id}/default"]) expect(doc.paths).toHaveProperty([path]);
    expect(doc.components.schemas.CreateDomain!.required).toEqual(["hostname"]);
    expect(Object.keys(doc.components.schemas.Domain!.properties!)).toContain("verification");
  });
});
