import { beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import * as appsRoute from "@/app/api/v1/apps/route";
import * as appRoute from "@/app/api/v1/apps/[id]/route";
import * as customersRoute from "@/app/api/v1/customers/route";
import * as customerRoute from "@/app/api/v1/customers/[id]/route";
import * as archiveRoute from "@/app/api/v1/customers/[id]/archive/route";
import * as unarchiveRoute from "@/app/api/v1/customers/[id]/unarchive/route";
import * as pullSecretRoute from "@/app/api/v1/customers/[id]/pull-secret/route";
import * as auditRoute from "@/app/api/v1/audit-events/route";
import { call, makeTeam, snapshotTeam, type TeamFixture } from "./fixtures";

// Team B's token against team A's ids: every route answers 404 (as if the
// row did not exist) and team A's data is unchanged.
describe("tenant isolation", () => {
  let a: TeamFixture;
  let b: TeamFixture;
  let appA: { id: string; slug: string };
  let customerA: { id: string; name: string; license: { licenseId: string } };

  beforeAll(async () => {
    a = await makeTeam("Tenant A");
    b = await makeTeam("Tenant B");
    appA = (await call(appsRoute.POST, "POST", { token: a.token, body: { name: "Secret app", slug: `iso-${randomUUID().slice(0, 8)}` } })).json.app;
    customerA = (await call(customersRoute.POST, "POST", { token: a.token, body: { appId: appA.id, name: "Secret customer", email: "vip@a.example" } })).json.customer;
  });

  it("every route with team B's token against team A's ids is 404 and changes nothing", async () => {
    const before = await snapshotTeam(a.teamId);
    const app = { id: appA.id };
    const customer = { id: customerA.id };
    const attempts: [string, Promise<Awaited<ReturnType<typeof call>>>][] = [
      ["GET app", call(appRoute.GET, "GET", { token: b.token, params: app })],
      ["PATCH app", call(appRoute.PATCH, "PATCH", { token: b.token, params: app, body: { name: "pwned" } })],
      ["DELETE app", call(appRoute.DELETE, "DELETE", { token: b.token, params: app })],
      ["GET customer", call(customerRoute.GET, "GET", { token: b.token, params: customer })],
      ["PATCH customer", call(customerRoute.PATCH, "PATCH", { token: b.token, params: customer, body: { registryAccess: false } })],
      ["archive", call(archiveRoute.POST, "POST", { token: b.token, params: customer })],
      ["unarchive", call(unarchiveRoute.POST, "POST", { token: b.token, params: customer })],
      ["pull-secret", call(pullSecretRoute.GET, "GET", { token: b.token, params: customer })],
    ];
    for (const [label, pending] of attempts) {
      const res = await pending;
      expect(res.status, label).toBe(404);
      expect(res.json.error.code, label).toBe("not_found");
      expect(res.text, label).not.toContain(customerA.license.licenseId);
    }
    expect(await snapshotTeam(a.teamId)).toBe(before);
  });

  it("team B cannot create customers in team A's app (appId is not found in B)", async () => {
    const before = await snapshotTeam(a.teamId);
    const res = await call(customersRoute.POST, "POST", { token: b.token, body: { appId: appA.id, name: "Intruder" } });
    expect(res.status).toBe(400);
    expect(res.json.error.issues).toEqual([{ path: "appId", message: "No such app in this team." }]);
    expect(await snapshotTeam(a.teamId)).toBe(before);
  });

  it("lists and searches never show another team's rows", async () => {
    const apps = await call(appsRoute.GET, "GET", { token: b.token });
    expect(apps.json.apps.map((x: { id: string }) => x.id)).not.toContain(appA.id);
    for (const query of [{}, { q: "Secret" }, { q: customerA.license.licenseId }, { appId: appA.id }, { status: "active" }]) {
      const res = await call(customersRoute.GET, "GET", { token: b.token, query });
      expect(res.status).toBe(200);
      expect(res.json.customers).toEqual([]);
    }
    const audit = await call(auditRoute.GET, "GET", { token: b.token });
    expect(audit.json.events.every((e: { targetId: string }) => e.targetId !== appA.id && e.targetId !== customerA.id)).toBe(true);
    expect(audit.text).not.toContain("Secret");
  });
});
