import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { createApp } from "@/lib/apps/create-app";
import { createCustomer } from "@/lib/customers/create-customer";
import { listVersionsInUse } from "@/lib/pulls/versions-in-use";
import { getPullActivity } from "@/lib/pulls/pull-activity";
import * as pullsRoute from "@/app/api/v1/pulls/route";
import { call, makeTeam, type TeamFixture } from "./fixtures";

let a: TeamFixture;
let b: TeamFixture;
let customerId: string;
let appId: string;

beforeAll(async () => {
  a = await makeTeam("Pulls A");
  b = await makeTeam("Pulls B");
  const app = await createApp(a.actor, { name: "Pull app" });
  appId = app.id;
  const customer = await createCustomer(a.actor, { appId, name: "Puller" });
  customerId = customer.id;
  const base = { teamId: a.teamId, appId, customerId, licenseId: customer.license.licenseId, method: "GET", bytes: BigInt(0), clientIp: "127.0.0.1", userAgent: "skopeo/1.9" };
  const t = (min: number) => new Date(Date.now() - min * 60_000);
  await prisma.pullEvent.createMany({
    data: [
      { ...base, time: t(50), action: "manifest", repository: "proxy/x/reg/acme/api", reference: "1.0", digest: "sha256:" + "1".repeat(64), status: 200 },
      { ...base, time: t(40), action: "blob", repository: "proxy/x/reg/acme/api", reference: "sha256:" + "2".repeat(64), digest: "sha256:" + "2".repeat(64), status: 200, bytes: BigInt(1000) },
      { ...base, time: t(30), action: "manifest", repository: "proxy/x/reg/acme/api", reference: "1.1", digest: "sha256:" + "3".repeat(64), status: 200 },
      { ...base, time: t(20), action: "manifest", repository: "proxy/x/reg/acme/web", reference: "2.0", digest: "sha256:" + "4".repeat(64), status: 200 },
      { ...base, time: t(10), action: "manifest", repository: "proxy/x/reg/acme/api", reference: "9.9", status: 403 },
    ],
  });
});

describe("GET /api/v1/pulls", () => {
  it("lists the team's pull events newest first, without license IDs", async () => {
    const res = await call(pullsRoute.GET, "GET", { token: a.token });
    expect(res.status).toBe(200);
    expect(res.json.pulls).toHaveLength(5);
    expect(res.json.pulls[0]).toMatchObject({ action: "manifest", status: 403, reference: "9.9", customerId, customerName: "Puller" });
    expect(res.text).not.toContain("licenseId");
    expect(res.json.nextCursor).toBeNull();
  });

  it("filters by customer, app, time and outcome, and paginates with a cursor", async () => {
    const since = new Date(Date.now() - 35 * 60_000).toISOString();
    const recent = await call(pullsRoute.GET, "GET", { token: a.token, query: { customerId, appId, since } });
    expect(recent.json.pulls.map((p: { reference: string }) => p.reference)).toEqual(["9.9", "2.0", "1.1"]);
    const denied = await call(pullsRoute.GET, "GET", { token: a.token, query: { outcome: "denied" } });
    expect(denied.json.pulls).toHaveLength(1);
    const page1 = await call(pullsRoute.GET, "GET", { token: a.token, query: { limit: "2" } });
    expect(page1.json.pulls).toHaveLength(2);
    const page2 = await call(pullsRoute.GET, "GET", { token: a.token, query: { limit: "2", cursor: page1.json.nextCursor } });
    expect(page2.json.pulls[0].id).not.toBe(page1.json.pulls[1].id);
    expect(Number(page2.json.pulls[0].id)).toBeLessThan(Number(page1.json.pulls[1].id));
  });

  it("rejects bad input with a message naming the field", async () => {
    const bad: Record<string, string>[] = [{ since: "yesterday" }, { limit: "0" }, { action: "push" }, { bogus: "1" }, { cursor: "abc" }];
    for (const query of bad) {
      const res = await call(pullsRoute.GET, "GET", { token: a.token, query });
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.json.error.code).toBe("invalid_request");
      expect(res.json.error.message).toContain(Object.keys(query)[0]);
    }
  });

  it("401 without a token; team B sees none of team A's pulls", async () => {
    expect((await call(pullsRoute.GET, "GET", {})).status).toBe(401);
    const other = await call(pullsRoute.GET, "GET", { token: b.token, query: { customerId } });
    expect(other.status).toBe(200);
    expect(other.json.pulls).toEqual([]);
  });
});

describe("versions in use and activity", () => {
  it("reports the most recent successful manifest pull per image", async () => {
    const versions = await listVersionsInUse(a.actor, customerId);
    expect(versions.map((v) => [v.repository, v.reference, v.pulls])).toEqual([
      ["proxy/x/reg/acme/web", "2.0", 1],
      ["proxy/x/reg/acme/api", "1.1", 2],
    ]);
    expect(await listVersionsInUse(b.actor, customerId)).toEqual([]);
  });

  it("counts pulls and denials per day", async () => {
    const days = await getPullActivity(a.actor, { days: 3 });
    expect(days).toHaveLength(3);
    const total = days.reduce((n, d) => n + d.pulls, 0);
    const denied = days.reduce((n, d) => n + d.denied, 0);
    expect(total).toBe(3);
    expect(denied).toBe(1);
  });
});
