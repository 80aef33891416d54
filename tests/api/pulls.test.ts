import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { createApp } from "@/lib/apps/create-app";
import { createCustomer } from "@/lib/customers/create-customer";
import { listVersionsInUse } from "@/lib/pulls/versions-in-use";
import { getPullActivity, totalActivity } from "@/lib/pulls/pull-activity";
import { csvCell } from "@/lib/pulls/export-pulls-csv";
import * as pullsRoute from "@/app/api/v1/pulls/route";
import * as csvRoute from "@/app/api/v1/pulls.csv/route";
import { call, makeTeam, type TeamFixture } from "./fixtures";

let a: TeamFixture;
let b: TeamFixture;
let customerId: string;
let appId: string;
const D = (n: number) => "sha256:" + String(n).repeat(64);

beforeAll(async () => {
  a = await makeTeam("Pulls A");
  b = await makeTeam("Pulls B");
  const app = await createApp(a.actor, { name: "Pull app" });
  appId = app.id;
  const customer = await createCustomer(a.actor, { appId, name: "=HYPERLINK(\"http://evil\")" });
  customerId = customer.id;
  const base = { teamId: a.teamId, appId, customerId, licenseId: customer.license.licenseId, method: "GET", bytes: BigInt(0), clientIp: "127.0.0.1", userAgent: "skopeo/1.9" };
  const t = (min: number) => new Date(Date.now() - min * 60_000);
  await prisma.pullEvent.createMany({
    data: [
      { ...base, time: t(50), action: "manifest", repository: "proxy/x/reg/acme/api", reference: "1.0", tag: "1.0", digest: D(1), status: 200, isPull: true },
      { ...base, time: t(49), action: "manifest", repository: "proxy/x/reg/acme/api", reference: D(5), tag: "1.0", digest: D(5), status: 200 },
      { ...base, time: t(40), action: "blob", repository: "proxy/x/reg/acme/api", reference: D(2), digest: D(2), status: 200, bytes: BigInt(1000) },
      { ...base, time: t(30), action: "manifest", repository: "proxy/x/reg/acme/api", reference: D(3), tag: "1.1", digest: D(3), status: 200, isPull: true },
      { ...base, time: t(20), action: "manifest", repository: "proxy/x/reg/acme/web", reference: "2.0", tag: "2.0", digest: D(4), status: 200, isPull: true },
      { ...base, time: t(15), action: "manifest", repository: "proxy/x/reg/acme/web", reference: "nope", tag: "nope", status: 404, isPull: true, reason: "not_found" },
      { ...base, time: t(12), action: "manifest", repository: "proxy/x/reg/acme/web", reference: "2.0", status: 502, isPull: true, reason: "upstream_error" },
      { ...base, time: t(10), action: "manifest", repository: "proxy/x/reg/acme/api", reference: "9.9", status: 403, isPull: true, reason: "expired" },
      { ...base, time: t(9), action: "manifest", method: "HEAD", repository: "proxy/x/reg/acme/api", reference: "9.9", status: 403, reason: "expired" },
    ],
  });
});

describe("GET /api/v1/pulls", () => {
  it("lists the team's pulls newest first by default, without license IDs; kind=requests lists every request", async () => {
    const res = await call(pullsRoute.GET, "GET", { token: a.token });
    expect(res.status).toBe(200);
    expect(res.json.pulls.map((p: { reference: string }) => p.reference)).toEqual(["9.9", "2.0", "nope", "2.0", D(3), "1.0"]);
    expect(res.json.pulls[0]).toMatchObject({ action: "manifest", status: 403, outcome: "denied", reason: "expired", isPull: true, customerId });
    expect(res.json.pulls[4]).toMatchObject({ tag: "1.1", digest: D(3), outcome: "success" });
    expect(res.text).not.toContain("licenseId");
    const all = await call(pullsRoute.GET, "GET", { token: a.token, query: { kind: "requests" } });
    expect(all.json.pulls).toHaveLength(9);
  });

  it("filters by customer, app, time, outcome and reason, and paginates with a cursor", async () => {
    const since = new Date(Date.now() - 35 * 60_000).toISOString();
    const recent = await call(pullsRoute.GET, "GET", { token: a.token, query: { customerId, appId, since } });
    expect(recent.json.pulls.map((p: { reference: string }) => p.reference)).toEqual(["9.9", "2.0", "nope", "2.0", D(3)]);
    const outcomes = async (outcome: string, kind = "pulls") => (await call(pullsRoute.GET, "GET", { token: a.token, query: { outcome, kind } })).json.pulls.length;
    expect(await outcomes("denied")).toBe(1);
    expect(await outcomes("denied", "requests")).toBe(2);
    expect(await outcomes("not_found")).toBe(1);
    expect(await outcomes("upstream_error")).toBe(1);
    expect(await outcomes("success")).toBe(3);
    const byReason = await call(pullsRoute.GET, "GET", { token: a.token, query: { reason: "expired", kind: "requests" } });
    expect(byReason.json.pulls).toHaveLength(2);
    const page1 = await call(pullsRoute.GET, "GET", { token: a.token, query: { limit: "2" } });
    expect(page1.json.pulls).toHaveLength(2);
    const page2 = await call(pullsRoute.GET, "GET", { token: a.token, query: { limit: "2", cursor: page1.json.nextCursor } });
    expect(Number(page2.json.pulls[0].id)).toBeLessThan(Number(page1.json.pulls[1].id));
  });

  it("rejects bad input with a message naming the field", async () => {
    const bad: Record<string, string>[] = [{ since: "yesterday" }, { limit: "0" }, { action: "push" }, { bogus: "1" }, { cursor: "abc" }, { kind: "all" }, { reason: "bored" }];
    for (const query of bad) {
      const res = await call(pullsRoute.GET, "GET", { token: a.token, query });
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.json.error.code).toBe("invalid_request");
      expect(res.json.error.message).toContain(Object.keys(query)[0]);
    }
  });

  it("401 without a token; team B sees none of team A's pulls", async () => {
    expect((await call(pullsRoute.GET, "GET", {})).status).toBe(401);
    const other = await call(pullsRoute.GET, "GET", { token: b.token, query: { customerId, kind: "requests" } });
    expect(other.status).toBe(200);
    expect(other.json.pulls).toEqual([]);
  });
});

describe("GET /api/v1/pulls.csv", () => {
  it("streams the range's pulls oldest first, with a header row and formula cells defused", async () => {
    const res = await call(csvRoute.GET, "GET", { token: a.token, query: { since: new Date(Date.now() - 3600_000).toISOString() } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="pullgate-pulls-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv"$/);
    const lines = res.text.trimEnd().split("\r\n");
    expect(lines[0]).toBe("time,customer_id,customer,app_id,image,tag,reference,digest,outcome,reason,status,is_pull,action,method,bytes,cache_hit,client_ip,user_agent,duration_ms");
    expect(lines).toHaveLength(1 + 6);
    // The customer's name starts with "=": quoted, quotes doubled, and prefixed so a spreadsheet shows it as text.
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(lines[1]).toContain(`"x/reg/acme/api","1.0","1.0"`);
    expect(lines.at(-1)).toContain(`"denied","expired",403,true`);
  });

  it("exports every request with kind=requests, and only the team's", async () => {
    const mine = await call(csvRoute.GET, "GET", { token: a.token, query: { kind: "requests" } });
    expect(mine.text.trimEnd().split("\r\n")).toHaveLength(1 + 9);
    const theirs = await call(csvRoute.GET, "GET", { token: b.token, query: { kind: "requests" } });
    expect(theirs.text.trimEnd().split("\r\n")).toHaveLength(1);
  });

  it("refuses an unbounded or inverted range, and no token", async () => {
    const tooLong = await call(csvRoute.GET, "GET", { token: a.token, query: { since: "2026-01-01T00:00:00Z", until: "2026-06-01T00:00:00Z" } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error.message).toMatch(/at most 92 days/);
    const inverted = await call(csvRoute.GET, "GET", { token: a.token, query: { since: "2026-06-02T00:00:00Z", until: "2026-06-01T00:00:00Z" } });
    expect(inverted.status).toBe(400);
    expect((await call(csvRoute.GET, "GET", {})).status).toBe(401);
  });

  it.each([
    ["=1+1", `"'=1+1"`],
    ["+cmd", `"'+cmd"`],
    ["-2", `"'-2"`],
    ["@SUM(A1)", `"'@SUM(A1)"`],
    ["\tx", `"'\tx"`],
    ['a "quoted", value', `"a ""quoted"", value"`],
    [null, ""],
    [42, "42"],
  ] as [string | number | null, string][])("csvCell(%j)", (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });
});

describe("versions in use and activity", () => {
  it("reports per image the tag and digest of the most recent successful pull", async () => {
    const versions = await listVersionsInUse(a.actor, customerId);
    expect(versions.map((v) => [v.repository, v.tag, v.digest, v.pulls])).toEqual([
      ["proxy/x/reg/acme/web", "2.0", D(4), 1],
      ["proxy/x/reg/acme/api", "1.1", D(3), 2],
    ]);
    expect(await listVersionsInUse(b.actor, customerId)).toEqual([]);
  });

  it("counts pulls by outcome per day: denied is license refusals only", async () => {
    const days = await getPullActivity(a.actor, { days: 3 });
    expect(days).toHaveLength(3);
    expect(totalActivity(days)).toEqual({ pulls: 3, denied: 1, notFound: 1, upstreamErrors: 1 });
    expect(totalActivity(await getPullActivity(b.actor, { days: 3 }))).toEqual({ pulls: 0, denied: 0, notFound: 0, upstreamErrors: 0 });
  });
});
