import { beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import * as appsRoute from "@/app/api/v1/apps/route";
import * as appRoute from "@/app/api/v1/apps/[id]/route";
import * as customersRoute from "@/app/api/v1/customers/route";
import * as customerRoute from "@/app/api/v1/customers/[id]/route";
import * as archiveRoute from "@/app/api/v1/customers/[id]/archive/route";
import * as auditRoute from "@/app/api/v1/audit-events/route";
import * as openapiRoute from "@/app/api/v1/openapi.json/route";
import * as catchAllRoute from "@/app/api/v1/[...path]/route";
import { apiHandler } from "@/lib/api/api-handler";
import { jsonObjectBody } from "@/lib/api/json-body";
import { ConflictError } from "@/lib/errors";
import { call, makeMember, makeTeam, type TeamFixture } from "./fixtures";

describe("audit events", () => {
  let a: TeamFixture;
  beforeAll(async () => {
    a = await makeTeam("Audit team");
  });

  it("records create/change/archive with the actor and a before/after of changed fields only, never the license ID", async () => {
    const slug = `aud-${randomUUID().slice(0, 8)}`;
    const app = (await call(appsRoute.POST, "POST", { token: a.token, body: { name: "Audited", slug } })).json.app;
    await call(appRoute.PATCH, "PATCH", { token: a.token, params: { id: app.id }, body: { name: "Audited 2" } });
    const customer = (await call(customersRoute.POST, "POST", { token: a.token, body: { appId: app.id, name: "Cust", email: "c@x.io" } })).json.customer;
    await call(customerRoute.PATCH, "PATCH", { token: a.token, params: { id: customer.id }, body: { name: "Cust 2", registryAccess: false, email: "c@x.io" } });
    await call(archiveRoute.POST, "POST", { token: a.token, params: { id: customer.id } });

    const res = await call(auditRoute.GET, "GET", { token: a.token, query: { limit: "50" } });
    expect(res.status).toBe(200);
    const events = res.json.events as { action: string; actor: { label: string; id: string }; targetId: string; targetName: string; before: unknown; after: unknown; time: string }[];
    const byAction = Object.fromEntries(events.map((e) => [e.action, e]));
    expect(Object.keys(byAction)).toEqual(
      expect.arrayContaining(["app.create", "app.rename", "customer.create", "customer.update", "license.update", "customer.archive"]),
    );
    expect(byAction["app.create"]).toMatchObject({ actor: { label: "API token tests", id: a.userId }, targetId: app.id, before: null, after: { name: "Audited", slug } });
    expect(byAction["app.rename"]).toMatchObject({ before: { name: "Audited" }, after: { name: "Audited 2" } });
    expect(byAction["customer.update"]).toMatchObject({ targetId: customer.id, before: { name: "Cust" }, after: { name: "Cust 2" } });
    expect(byAction["license.update"]).toMatchObject({ targetId: customer.id, before: { registryAccess: true }, after: { registryAccess: false } });
    expect(byAction["customer.archive"]!.before).toEqual({ archivedAt: null });
    // Unchanged fields (email) are not in the summary; the license ID appears nowhere.
    expect(byAction["customer.update"]!.before).not.toHaveProperty("email");
    expect(res.text).not.toContain(customer.license.licenseId);
    expect(res.text).not.toContain(a.token);
    // Newest first.
    const times = events.map((e) => e.time);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it("filters by target type, action and actor and paginates with a cursor", async () => {
    const onlyApps = await call(auditRoute.GET, "GET", { token: a.token, query: { targetType: "app" } });
    expect(onlyApps.json.events.length).toBeGreaterThan(0);
    expect(onlyApps.json.events.every((e: { targetType: string }) => e.targetType === "app")).toBe(true);
    const archives = await call(auditRoute.GET, "GET", { token: a.token, query: { action: "customer.archive" } });
    expect(archives.json.events.map((e: { action: string }) => e.action)).toEqual(["customer.archive"]);
    const byActor = await call(auditRoute.GET, "GET", { token: a.token, query: { actor: "api token" } });
    expect(byActor.json.events.length).toBeGreaterThan(0);
    expect(byActor.json.events.every((e: { actor: { label: string } }) => /api token/i.test(e.actor.label))).toBe(true);
    // A filter that matches no actor must narrow to nothing (an ignored filter would return everything).
    const noActor = await call(auditRoute.GET, "GET", { token: a.token, query: { actor: "no-such-actor-label" } });
    expect(noActor.json.events).toEqual([]);
    const future = await call(auditRoute.GET, "GET", { token: a.token, query: { from: new Date(Date.now() + 60_000).toISOString() } });
    expect(future.json.events).toEqual([]);

    const all = (await call(auditRoute.GET, "GET", { token: a.token, query: { limit: "200" } })).json.events.map((e: { id: string }) => e.id);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof call>> = await call(auditRoute.GET, "GET", { token: a.token, query: { limit: "2", ...(cursor ? { cursor } : {}) } });
      paged.push(...page.json.events.map((e: { id: string }) => e.id));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all);

    for (const query of [{ limit: "0" }, { targetType: "planet" }, { from: "yesterday" }, { cursor: "zzz" }, { extra: "1" }]) {
      expect((await call(auditRoute.GET, "GET", { token: a.token, query })).status).toBe(400);
    }
  });

  it("members can read the audit log; 401 without a token", async () => {
    const member = await makeMember(a.teamId);
    expect((await call(auditRoute.GET, "GET", { token: member.token })).status).toBe(200);
    expect((await call(auditRoute.GET, "GET", {})).status).toBe(401);
  });
});

describe("error shapes", () => {
  it("unknown /api/v1 paths answer JSON 404", async () => {
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"] as const) {
      const res = await call(catchAllRoute[method], method, { path: "/api/v1/nope/here", params: { path: "nope/here" } });
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(res.json.error.code).toBe("not_found");
    }
  });

  it("unexpected errors become a bare 500 without stack or message", async () => {
    const handler = apiHandler({ auth: "none" }, () => {
      throw new Error("db password=hunter2 at line 7");
    });
    const res = await call(handler, "GET");
    expect(res.status).toBe(500);
    expect(res.json).toEqual({ error: { code: "internal_error", message: "Internal error" } });
    expect(res.text).not.toContain("hunter2");
  });

  it("domain errors keep their status and code", async () => {
    const res = await call(apiHandler({ auth: "none" }, () => { throw new ConflictError("Taken."); }), "GET");
    expect(res.status).toBe(409);
    expect(res.json).toEqual({ error: { code: "conflict", message: "Taken." } });
  });

  it("refuses oversized bodies with 413 JSON", async () => {
    const handler = apiHandler({ auth: "none", body: jsonObjectBody }, () => ({ ok: true }));
    const res = await call(handler, "POST", { body: { name: "x".repeat(1_100_000) } });
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe("payload_too_large");
  });

  it("serves an OpenAPI 3.1 document built from the schemas, without auth", async () => {
    const res = await call(openapiRoute.GET, "GET", { path: "/api/v1/openapi.json" });
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe("3.1.0");
    for (const path of ["/api/v1/apps", "/api/v1/apps/{id}", "/api/v1/customers", "/api/v1/customers/{id}", "/api/v1/customers/{id}/archive", "/api/v1/customers/{id}/unarchive", "/api/v1/customers/{id}/pull-secret", "/api/v1/audit-events"]) {
      expect(res.json.paths).toHaveProperty([path]);
    }
    const create = res.json.components.schemas.CreateCustomer;
    expect(create.required).toEqual(["appId", "name"]);
    expect(create.additionalProperties).toBe(false);
    expect(create.properties.type.enum).toEqual(["dev", "trial", "paid", "community", "test"]);
    expect(create.properties.name.maxLength).toBe(200);
  });
});
