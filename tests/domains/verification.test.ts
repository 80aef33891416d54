import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { randomUUID } from "node:crypto";
import * as domainsRoute from "@/app/api/v1/domains/route";
import * as verifyRoute from "@/app/api/v1/domains/[id]/verify/route";
import { prisma } from "@/lib/db/client";
import { recheckPendingDomains } from "@/lib/domains/recheck-pending-domains";
import { nextCheckDelayMs } from "@/lib/domains/next-domain-state";
import { call, makeTeam, type TeamFixture } from "../api/fixtures";
import { startDnsServer, type TestDnsServer } from "../helpers/dns-server";

// Verification against a real DNS server on loopback (dns2), reached through
// PULLGATE_DNS_SERVERS exactly as in production.

let dns: TestDnsServer;
let a: TeamFixture;

const uniqueHost = (label = "registry") => `${label}.${randomUUID().slice(0, 8)}.acme.test`;

async function addDomain(hostname: string) {
  const res = await call(domainsRoute.POST, "POST", { token: a.token, body: { hostname } });
  expect(res.status).toBe(201);
  return res.json.domain;
}

async function verify(id: string) {
  const res = await call(verifyRoute.POST, "POST", { token: a.token, params: { id } });
  expect(res.status).toBe(200);
  return res.json.domain;
}

beforeAll(async () => {
  dns = await startDnsServer();
  // Restored in afterAll, so later files in the same process see the real settings.
  vi.stubEnv("PROXY_PUBLIC_HOST", "proxy.pullgate.test:5050");
  vi.stubEnv("PULLGATE_DNS_SERVERS", dns.address);
  a = await makeTeam("Domains verification");
});

afterAll(async () => {
  await dns?.close();
  vi.unstubAllEnvs();
});

describe("domain verification through DNS", () => {
  it("stays pending without the TXT record and becomes verified when it appears", async () => {
    const hostname = uniqueHost();
    const domain = await addDomain(hostname);
    expect(domain).toMatchObject({
      hostname,
      status: "pending",
      verification: { type: "TXT", name: `_pullgate-challenge.${hostname}` },
      cnameTarget: "proxy.pullgate.test",
      verifiedAt: null,
      lastCheckedAt: null,
      isDefault: false,
    });
    expect(domain.verification.value).toMatch(/^pullgate-verify-[0-9a-f]{40}$/);

    const before = dns.queries;
    const missing = await verify(domain.id);
    expect(dns.queries).toBeGreaterThan(before);
    expect(missing.status).toBe("pending");
    expect(missing.failureReason).toBe(`No TXT record found at _pullgate-challenge.${hostname}.`);
    expect(missing.lastCheckedAt).not.toBeNull();

    // The record may be split into several strings and sit next to others.
    const token: string = domain.verification.value;
    dns.zone.set(`_pullgate-challenge.${hostname}`, { txt: [["v=unrelated"], [token.slice(0, 20), token.slice(20)]] });
    const verified = await verify(domain.id);
    expect(verified.status).toBe("verified");
    expect(verified.verifiedAt).not.toBeNull();
    expect(verified.failureReason).toBeNull();

    const audit = await prisma.auditEvent.findMany({ where: { teamId: a.teamId, targetId: domain.id }, orderBy: { time: "asc" } });
    expect(audit.map((e) => e.action)).toEqual(["domain.create", "domain.verify", "domain.verify"]);
    expect(audit[2]!.after).toMatchObject({ status: "verified" });
  });

  it("keeps a domain pending when the TXT record holds the wrong token", async () => {
    const hostname = uniqueHost();
    const domain = await addDomain(hostname);
    dns.zone.set(`_pullgate-challenge.${hostname}`, { txt: [["pullgate-verify-" + "0".repeat(40)]] });
    const checked = await verify(domain.id);
    expect(checked.status).toBe("pending");
    expect(checked.verifiedAt).toBeNull();
    expect(checked.failureReason).toBe(`The TXT record _pullgate-challenge.${hostname} exists but does not contain this domain's verification token.`);
  });

  it("keeps a verified domain verified after its TXT record is removed", async () => {
    const hostname = uniqueHost();
    const domain = await addDomain(hostname);
    dns.zone.set(`_pullgate-challenge.${hostname}`, { txt: [[domain.verification.value]] });
    const verified = await verify(domain.id);
    expect(verified.status).toBe("verified");

    dns.zone.delete(`_pullgate-challenge.${hostname}`);
    const again = await verify(domain.id);
    expect(again.status).toBe("verified");
    expect(again.verifiedAt).toBe(verified.verifiedAt);
    expect(again.failureReason).toBeNull();
    // The background job leaves verified domains alone.
    await recheckPendingDomains({ teamId: a.teamId, now: new Date(Date.now() + 100 * 3600_000) });
    expect((await prisma.customDomain.findUniqueOrThrow({ where: { id: domain.id } })).status).toBe("verified");
  });

  it("warns when the CNAME is missing or points elsewhere, and clears the warning when it is right", async () => {
    const hostname = uniqueHost();
    const domain = await addDomain(hostname);
    dns.zone.set(`_pullgate-challenge.${hostname}`, { txt: [[domain.verification.value]] });

    const none = await verify(domain.id);
    expect(none.status).toBe("verified");
    expect(none.cnameWarning).toBe(`${hostname} has no CNAME record: point it at proxy.pullgate.test (or give it the proxy's addresses) so customers reach the proxy.`);

    dns.zone.set(hostname, { cname: "elsewhere.example.net" });
    const wrong = await verify(domain.id);
    expect(wrong.status).toBe("verified");
    expect(wrong.cnameWarning).toBe(`${hostname} is a CNAME for elsewhere.example.net, not for proxy.pullgate.test: customers will not reach the proxy through it.`);

    dns.zone.set(hostname, { cname: "Proxy.Pullgate.test." });
    const right = await verify(domain.id);
    expect(right.cnameWarning).toBeNull();
  });

  it("re-checks pending domains in the background with back-off, and gives up after 72 hours", async () => {
    const team = await makeTeam("Domains background");
    const res = await call(domainsRoute.POST, "POST", { token: team.token, body: { hostname: uniqueHost("late") } });
    const lateId: string = res.json.domain.id;
    const slow = await call(domainsRoute.POST, "POST", { token: team.token, body: { hostname: uniqueHost("slow") } });
    const slowId: string = slow.json.domain.id;
    const row = await prisma.customDomain.findUniqueOrThrow({ where: { id: lateId } });
    const created = row.createdAt.getTime();
    const at = (hours: number) => new Date(created + hours * 3600_000);

    // Due at once after creation; a failed check schedules the next one later.
    const first = await recheckPendingDomains({ teamId: team.teamId, now: at(0.01) });
    expect(first).toEqual({ checked: 2, verified: 0, failed: 0 });
    const afterFirst = await prisma.customDomain.findUniqueOrThrow({ where: { id: lateId } });
    expect(afterFirst.status).toBe("pending");
    expect(afterFirst.failureReason).toMatch(/^No TXT record found/);
    expect(afterFirst.nextCheckAt!.getTime()).toBe(at(0.01).getTime() + 60_000);
    // Not due yet: nothing is checked.
    expect(await recheckPendingDomains({ teamId: team.teamId, now: at(0.015) })).toEqual({ checked: 0, verified: 0, failed: 0 });

    // Later checks are further apart (an eighth of the age, at most an hour).
    await recheckPendingDomains({ teamId: team.teamId, now: at(2) });
    const afterTwoHours = await prisma.customDomain.findUniqueOrThrow({ where: { id: lateId } });
    expect(afterTwoHours.nextCheckAt!.getTime() - at(2).getTime()).toBe(15 * 60_000);
    expect(nextCheckDelayMs(new Date(created), at(48))).toBe(3600_000);

    // The slow one's record appears on day two: the job verifies it.
    const slowRow = await prisma.customDomain.findUniqueOrThrow({ where: { id: slowId } });
    dns.zone.set(`_pullgate-challenge.${slowRow.hostname}`, { txt: [[slowRow.verificationToken]] });
    expect(await recheckPendingDomains({ teamId: team.teamId, now: at(30) })).toEqual({ checked: 2, verified: 1, failed: 0 });
    expect((await prisma.customDomain.findUniqueOrThrow({ where: { id: slowId } })).status).toBe("verified");

    // Still pending just before 72 hours, failed with the reason after.
    await recheckPendingDomains({ teamId: team.teamId, now: at(71.9) });
    expect((await prisma.customDomain.findUniqueOrThrow({ where: { id: lateId } })).status).toBe("pending");
    expect(await recheckPendingDomains({ teamId: team.teamId, now: at(73) })).toEqual({ checked: 1, verified: 0, failed: 1 });
    const failed = await prisma.customDomain.findUniqueOrThrow({ where: { id: lateId } });
    expect(failed.status).toBe("failed");
    expect(failed.nextCheckAt).toBeNull();
    expect(failed.failureReason).toBe(`Not verified within 72 hours. Last check: No TXT record found at _pullgate-challenge.${failed.hostname}.`);
    // Failed domains are not re-checked in the background.
    expect(await recheckPendingDomains({ teamId: team.teamId, now: at(80) })).toEqual({ checked: 0, verified: 0, failed: 0 });

    // Status changes by the job are audited under a system actor.
    const audit = await prisma.auditEvent.findMany({ where: { teamId: team.teamId, action: "domain.verify" }, orderBy: { time: "asc" } });
    expect(audit.map((e) => [e.targetId, e.actorLabel, (e.after as { status: string }).status])).toEqual([
      [slowId, "Pullgate (automatic DNS check)", "verified"],
      [lateId, "Pullgate (automatic DNS check)", "failed"],
    ]);
  });
});

describe("competing claims for one hostname (squatting)", () => {
  const addFor = async (team: TeamFixture, hostname: string) => {
    const res = await call(domainsRoute.POST, "POST", { token: team.token, body: { hostname } });
    expect(res.status).toBe(201);
    return res.json.domain;
  };
  const verifyFor = async (team: TeamFixture, id: string) => {
    const res = await call(verifyRoute.POST, "POST", { token: team.token, params: { id } });
    expect(res.status).toBe(200);
    return res.json.domain;
  };

  it("a squatter's pending claim does not block the real owner, who verifies and closes the squatter's claim", async () => {
    const squatter = await makeTeam("Domain squatter");
    const owner = await makeTeam("Domain owner");
    const hostname = uniqueHost("registry");

    const squatted = await addFor(squatter, hostname);
    const claimed = await addFor(owner, hostname);
    // Each claim has its own random token, so only the one the DNS holds can win.
    expect(claimed.verification.value).not.toBe(squatted.verification.value);
    expect((await verifyFor(squatter, squatted.id)).status).toBe("pending");

    dns.zone.set(`_pullgate-challenge.${hostname}`, { txt: [[claimed.verification.value]] });
    const verified = await verifyFor(owner, claimed.id);
    expect(verified.status).toBe("verified");

    const closed = await prisma.customDomain.findUniqueOrThrow({ where: { id: squatted.id } });
    expect(closed).toMatchObject({ status: "failed", nextCheckAt: null, verifiedAt: null });
    expect(closed.failureReason).toMatch(/^Another team proved ownership of this hostname first/);
    const audit = await prisma.auditEvent.findMany({ where: { teamId: squatter.teamId, targetId: squatted.id, action: "domain.verify" }, orderBy: { time: "asc" } });
    expect(audit.at(-1)).toMatchObject({ actorLabel: "Pullgate (automatic DNS check)", after: { status: "failed" } });
    // Nothing of the owner leaks into the squatter's view.
    expect(JSON.stringify(closed)).not.toContain(owner.teamId);

    // The squatter can neither claim the name again nor get its closed claim verified.
    const again = await call(domainsRoute.POST, "POST", { token: squatter.token, body: { hostname } });
    expect(again.status).toBe(409);
    expect((await verifyFor(squatter, squatted.id)).status).toBe("failed");
    expect((await prisma.customDomain.findMany({ where: { hostname, status: "verified" } })).map((d) => d.id)).toEqual([claimed.id]);
  });

  it("lets exactly one of two claims that verify at the same moment win", async () => {
    const first = await makeTeam("Domain race 1");
    const second = await makeTeam("Domain race 2");
    const hostname = uniqueHost("race");
    const one = await addFor(first, hostname);
    const two = await addFor(second, hostname);
    // Both tokens are in the DNS: both checks pass, the database decides.
    dns.zone.set(`_pullgate-challenge.${hostname}`, { txt: [[one.verification.value], [two.verification.value]] });
    const results = await Promise.all([verifyFor(first, one.id), verifyFor(second, two.id)]);
    expect(results.map((d) => d.status).sort()).toEqual(["failed", "verified"]);
    expect(results.find((d) => d.status === "failed")!.failureReason).toMatch(/^Another team proved ownership/);
    expect(await prisma.customDomain.count({ where: { hostname, status: "verified" } })).toBe(1);
  });

  it("frees the name from failed claims, and keeps a verified hostname unique in the database itself", async () => {
    const gaveUp = await makeTeam("Domain gave up");
    const later = await makeTeam("Domain later");
    const hostname = uniqueHost("freed");
    const old = await addFor(gaveUp, hostname);
    await recheckPendingDomains({ teamId: gaveUp.teamId, now: new Date(Date.now() + 73 * 3600_000) });
    expect((await prisma.customDomain.findUniqueOrThrow({ where: { id: old.id } })).status).toBe("failed");

    const fresh = await addFor(later, hostname);
    dns.zone.set(`_pullgate-challenge.${hostname}`, { txt: [[fresh.verification.value]] });
    expect((await verifyFor(later, fresh.id)).status).toBe("verified");
    // A second verified row for the name is refused by the partial unique index.
    await expect(prisma.customDomain.update({ where: { id: old.id }, data: { status: "verified", verifiedAt: new Date() } })).rejects.toMatchObject({ code: "P2002" });
  });
});
