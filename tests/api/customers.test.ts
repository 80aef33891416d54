import { beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import * as appsRoute from "@/app/api/v1/apps/route";
import * as customersRoute from "@/app/api/v1/customers/route";
import * as customerRoute from "@/app/api/v1/customers/[id]/route";
import * as archiveRoute from "@/app/api/v1/customers/[id]/archive/route";
import * as unarchiveRoute from "@/app/api/v1/customers/[id]/unarchive/route";
import * as pullSecretRoute from "@/app/api/v1/customers/[id]/pull-secret/route";
import { prisma } from "@/lib/db/client";
import { listCustomers } from "@/lib/customers/list-customers";
import { call, makeMember, makeTeam, type TeamFixture } from "./fixtures";

const DAY = 86_400_000;

describe("/api/v1/customers", () => {
  let a: TeamFixture;
  let appId: string;
  let otherAppId: string;
  beforeAll(async () => {
    a = await makeTeam("Customers A");
    appId = (await call(appsRoute.POST, "POST", { token: a.token, body: { name: "Main", slug: `main-${randomUUID().slice(0, 8)}` } })).json.app.id;
    otherAppId = (await call(appsRoute.POST, "POST", { token: a.token, body: { name: "Other", slug: `other-${randomUUID().slice(0, 8)}` } })).json.app.id;
  });

  const create = (body: Record<string, unknown>) => call(customersRoute.POST, "POST", { token: a.token, body: { appId, ...body } });

  it("creates a customer with its license and returns the whitelisted shape", async () => {
    const expiresAt = new Date(Date.now() + 90 * DAY).toISOString();
    const res = await create({
      name: "  Globex  ",
      email: "Ops@Globex.com",
      customId: "crm-42",
      type: "trial",
      channel: "stable",
      expiresAt,
      registryAccess: true,
      imagePatterns: ["globex/*", "globex/*", "ghcr.io/acme/**"],
      entitlements: { seats: 10, sso: true, tier: "gold" },
    });
    expect(res.status).toBe(201);
    const c = res.json.customer;
    expect(Object.keys(c).sort()).toEqual(["appId", "archivedAt", "channel", "createdAt", "customId", "email", "id", "lastPullAt", "license", "name", "type"]);
    expect(Object.keys(c.license).sort()).toEqual(["entitlements", "expiresAt", "imagePatterns", "licenseId", "registryAccess", "status"]);
    expect(c).toMatchObject({ appId, name: "Globex", email: "ops@globex.com", customId: "crm-42", type: "trial", channel: "stable", archivedAt: null, lastPullAt: null });
    expect(c.license).toMatchObject({
      expiresAt,
      registryAccess: true,
      imagePatterns: ["globex/*", "ghcr.io/acme/**"],
      entitlements: { seats: 10, sso: true, tier: "gold" },
      status: "active",
    });
    expect(c.license.licenseId).toMatch(/^[0-9A-Za-z]{27}$/);

    const got = await call(customerRoute.GET, "GET", { token: a.token, params: { id: c.id } });
    expect(got.status).toBe(200);
    expect(got.json.customer).toEqual(c);
  });

  it("defaults: paid, never expires, access on, all images", async () => {
    const c = (await create({ name: "Defaults" })).json.customer;
    expect(c).toMatchObject({ type: "paid", email: null, customId: null, channel: null });
    expect(c.license).toMatchObject({ expiresAt: null, registryAccess: true, imagePatterns: [], entitlements: {}, status: "active" });
  });

  it("test licenses expire within 48 hours; community licenses never expire", async () => {
    const t = (await create({ name: "Tester", type: "test" })).json.customer;
    const left = new Date(t.license.expiresAt).getTime() - Date.now();
    expect(left).toBeGreaterThan(47 * 3600_000);
    expect(left).toBeLessThanOrEqual(48 * 3600_000);

    const tooLong = await create({ name: "Tester", type: "test", expiresAt: new Date(Date.now() + 3 * DAY).toISOString() });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error.issues).toEqual([{ path: "expiresAt", message: "Test licenses must expire within 48 hours of now." }]);
    expect((await create({ name: "Tester", type: "test", expiresAt: null })).status).toBe(400);

    const community = await create({ name: "OSS", type: "community", expiresAt: new Date(Date.now() + DAY).toISOString() });
    expect(community.status).toBe(400);
    expect(community.json.error.issues[0].path).toBe("expiresAt");

    // Switching a customer with an expiry to community clears it.
    const paid = (await create({ name: "Was paid", expiresAt: new Date(Date.now() + 5 * DAY).toISOString() })).json.customer;
    const switched = await call(customerRoute.PATCH, "PATCH", { token: a.token, params: { id: paid.id }, body: { type: "community" } });
    expect(switched.status).toBe(200);
    expect(switched.json.customer.license.expiresAt).toBeNull();
    // Switching to test without a short expiry is refused.
    const toTest = await call(customerRoute.PATCH, "PATCH", { token: a.token, params: { id: paid.id }, body: { type: "test" } });
    expect(toTest.status).toBe(400);
    expect(toTest.json.error.issues[0].path).toBe("expiresAt");
  });

  it.each([
    [{}, "name"],
    [{ name: "" }, "name"],
    [{ name: "x".repeat(201) }, "name"],
    [{ name: 5 }, "name"],
    [{ name: "ok", email: "not-an-email" }, "email"],
    [{ name: "ok", email: 12 }, "email"],
    [{ name: "ok", customId: "x".repeat(101) }, "customId"],
    [{ name: "ok", channel: "x".repeat(101) }, "channel"],
    [{ name: "ok", type: "enterprise" }, "type"],
    [{ name: "ok", expiresAt: "tomorrow" }, "expiresAt"],
    [{ name: "ok", expiresAt: "2026-13-45T00:00:00Z" }, "expiresAt"],
    [{ name: "ok", expiresAt: 1767225600000 }, "expiresAt"],
    [{ name: "ok", registryAccess: "yes" }, "registryAccess"],
    [{ name: "ok", imagePatterns: "acme/*" }, "imagePatterns"],
    [{ name: "ok", imagePatterns: ["Acme/API"] }, "imagePatterns.0"],
    [{ name: "ok", imagePatterns: Array.from({ length: 51 }, (_, i) => `img-${i}`) }, "imagePatterns"],
    [{ name: "ok", entitlements: { "bad key": 1 } }, "entitlements.bad key"],
    [{ name: "ok", entitlements: { seats: { nested: 1 } } }, "entitlements.seats"],
    [{ name: "ok", entitlements: [1] }, "entitlements"],
    [{ name: "ok", licenseId: "mine" }, "licenseId"],
    [{ name: "ok", teamId: "t" }, "teamId"],
  ])("POST %j → 400 naming %s, nothing written", async (body, field) => {
    const before = await prisma.customer.count({ where: { teamId: a.teamId } });
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("invalid_request");
    expect(res.json.error.message).toContain(field);
    expect(res.json.error.issues.map((i: { path: string }) => i.path)).toContain(field);
    expect(await prisma.customer.count({ where: { teamId: a.teamId } })).toBe(before);
  });

  it("POST without appId or with an unknown app → 400 on appId", async () => {
    const none = await call(customersRoute.POST, "POST", { token: a.token, body: { name: "x" } });
    expect(none.status).toBe(400);
    expect(none.json.error.issues[0].path).toBe("appId");
    const unknown = await call(customersRoute.POST, "POST", { token: a.token, body: { name: "x", appId: "nope" } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.issues).toEqual([{ path: "appId", message: "No such app in this team." }]);
  });

  it("PATCH changes only the given fields; expiresAt null means never", async () => {
    const c = (await create({ name: "Patchy", email: "p@x.io", expiresAt: new Date(Date.now() + 3 * DAY).toISOString(), entitlements: { seats: 1 } })).json.customer;
    const res = await call(customerRoute.PATCH, "PATCH", {
      token: a.token,
      params: { id: c.id },
      body: { name: "Patched", expiresAt: null, registryAccess: false, imagePatterns: ["acme/api"], entitlements: { seats: 5 }, email: "" },
    });
    expect(res.status).toBe(200);
    const u = res.json.customer;
    expect(u).toMatchObject({ id: c.id, name: "Patched", email: null, customId: null, type: "paid" });
    expect(u.license).toMatchObject({ licenseId: c.license.licenseId, expiresAt: null, registryAccess: false, imagePatterns: ["acme/api"], entitlements: { seats: 5 }, status: "disabled" });

    const noop = await call(customerRoute.PATCH, "PATCH", { token: a.token, params: { id: c.id }, body: {} });
    expect(noop.status).toBe(200);
    expect(noop.json.customer).toEqual(u);

    for (const body of [{ name: "" }, { name: "x".repeat(201) }, { expiresAt: "yesterday" }, { appId: otherAppId }, { registryAccess: null }]) {
      const bad = await call(customerRoute.PATCH, "PATCH", { token: a.token, params: { id: c.id }, body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.json.error.issues.length).toBeGreaterThan(0);
    }
    expect((await call(customerRoute.GET, "GET", { token: a.token, params: { id: c.id } })).json.customer).toEqual(u);
  });

  it("expired licenses show status expired; access off shows disabled", async () => {
    const expired = (await create({ name: "Old", expiresAt: new Date(Date.now() - DAY).toISOString() })).json.customer;
    expect(expired.license.status).toBe("expired");
    const dateOnly = (await create({ name: "Date only", expiresAt: "2020-01-01" })).json.customer;
    expect(dateOnly.license.expiresAt).toBe("2020-01-01T00:00:00.000Z");
    const off = (await create({ name: "Off", registryAccess: false })).json.customer;
    expect(off.license.status).toBe("disabled");
  });

  it("archive cuts access, unarchive restores it; repeated calls are idempotent", async () => {
    const c = (await create({ name: "Archivable" })).json.customer;
    const archived = await call(archiveRoute.POST, "POST", { token: a.token, params: { id: c.id } });
    expect(archived.status).toBe(200);
    expect(archived.json.customer.archivedAt).not.toBeNull();
    expect(archived.json.customer.license.status).toBe("archived");
    const again = await call(archiveRoute.POST, "POST", { token: a.token, params: { id: c.id } });
    expect(again.json.customer.archivedAt).toBe(archived.json.customer.archivedAt);
    const restored = await call(unarchiveRoute.POST, "POST", { token: a.token, params: { id: c.id } });
    expect(restored.status).toBe(200);
    expect(restored.json.customer.archivedAt).toBeNull();
    expect(restored.json.customer.license.status).toBe("active");
    const events = await prisma.auditEvent.findMany({ where: { teamId: a.teamId, targetId: c.id, action: { in: ["customer.archive", "customer.unarchive"] } } });
    expect(events.map((e) => e.action).sort()).toEqual(["customer.archive", "customer.unarchive"]);
  });

  it("pull secret: dockerconfigjson for the proxy host and a Kubernetes Secret", async () => {
    const c = (await create({ name: "Pull", email: "pull@cust.io" })).json.customer;
    const res = await call(pullSecretRoute.GET, "GET", { token: a.token, params: { id: c.id } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json).sort()).toEqual(["dockerconfigjson", "secretYaml"]);
    const config = JSON.parse(res.json.dockerconfigjson);
    const host = process.env.PROXY_PUBLIC_HOST || "localhost:5050";
    expect(config).toEqual({ auths: { [host]: { auth: Buffer.from(`pull@cust.io:${c.license.licenseId}`).toString("base64") } } });
    expect(res.json.secretYaml).toContain("type: kubernetes.io/dockerconfigjson");
    expect(res.json.secretYaml).toContain(`.dockerconfigjson: ${Buffer.from(res.json.dockerconfigjson).toString("base64")}`);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("unknown customer ids are 404 on every route", async () => {
    const params = { id: "does-not-exist" };
    for (const res of [
      await call(customerRoute.GET, "GET", { token: a.token, params }),
      await call(customerRoute.PATCH, "PATCH", { token: a.token, params, body: { name: "x" } }),
      await call(archiveRoute.POST, "POST", { token: a.token, params }),
      await call(unarchiveRoute.POST, "POST", { token: a.token, params }),
      await call(pullSecretRoute.GET, "GET", { token: a.token, params }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ error: { code: "not_found", message: "Customer not found." } });
    }
  });

  it("members read customers and pull secrets but cannot change anything", async () => {
    const c = (await create({ name: "Guarded" })).json.customer;
    const member = await makeMember(a.teamId);
    expect((await call(customersRoute.GET, "GET", { token: member.token })).status).toBe(200);
    expect((await call(customerRoute.GET, "GET", { token: member.token, params: { id: c.id } })).status).toBe(200);
    expect((await call(pullSecretRoute.GET, "GET", { token: member.token, params: { id: c.id } })).status).toBe(200);
    for (const res of [
      await call(customersRoute.POST, "POST", { token: member.token, body: { appId, name: "Nope" } }),
      await call(customerRoute.PATCH, "PATCH", { token: member.token, params: { id: c.id }, body: { registryAccess: false } }),
      await call(archiveRoute.POST, "POST", { token: member.token, params: { id: c.id } }),
      await call(unarchiveRoute.POST, "POST", { token: member.token, params: { id: c.id } }),
    ]) {
      expect(res.status).toBe(403);
      expect(res.json.error.code).toBe("forbidden");
    }
    expect((await call(customerRoute.GET, "GET", { token: a.token, params: { id: c.id } })).json.customer).toEqual(c);
  });

  it("401 on every customer route without a token", async () => {
    const params = { id: "x" };
    for (const res of [
      await call(customersRoute.GET, "GET"),
      await call(customersRoute.POST, "POST", { body: { appId, name: "x" } }),
      await call(customerRoute.GET, "GET", { params }),
      await call(customerRoute.PATCH, "PATCH", { params, body: {} }),
      await call(archiveRoute.POST, "POST", { params }),
      await call(unarchiveRoute.POST, "POST", { params }),
      await call(pullSecretRoute.GET, "GET", { params }),
    ]) {
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe("unauthenticated");
    }
  });
});

describe("GET /api/v1/customers (list)", () => {
  let t: TeamFixture;
  let appId: string;
  let app2: string;
  const ids: Record<string, string> = {};
  let licenseOfZed = "";

  beforeAll(async () => {
    t = await makeTeam("List team");
    appId = (await call(appsRoute.POST, "POST", { token: t.token, body: { name: "L1", slug: `l1-${randomUUID().slice(0, 8)}` } })).json.app.id;
    app2 = (await call(appsRoute.POST, "POST", { token: t.token, body: { name: "L2", slug: `l2-${randomUUID().slice(0, 8)}` } })).json.app.id;
    const specs: [string, Record<string, unknown>][] = [
      ["alpha", { name: "Alpha Corp", email: "it@alpha.example", customId: "SF-001", type: "paid" }],
      ["bravo", { name: "Bravo Ltd", email: "ops@bravo.example", type: "trial", expiresAt: new Date(Date.now() + 5 * DAY).toISOString() }],
      ["charlie", { name: "Charlie 100%_off", type: "dev", expiresAt: new Date(Date.now() - DAY).toISOString() }],
      ["delta", { name: "Delta", registryAccess: false, customId: "sf-002" }],
      ["echo", { name: "Echo", expiresAt: new Date(Date.now() + 40 * DAY).toISOString() }],
      ["zed", { name: "Zed", appId: "app2" }],
      ["archived", { name: "Archie" }],
    ];
    for (const [key, spec] of specs) {
      const body = { appId: spec.appId === "app2" ? app2 : appId, ...spec };
      if (spec.appId === "app2") body.appId = app2;
      const res = await call(customersRoute.POST, "POST", { token: t.token, body });
      expect(res.status, JSON.stringify(res.json)).toBe(201);
      ids[key] = res.json.customer.id;
      if (key === "zed") licenseOfZed = res.json.customer.license.licenseId;
    }
    await call(archiveRoute.POST, "POST", { token: t.token, params: { id: ids.archived! } });
  });

  const list = async (query: Record<string, string>) => {
    const res = await call(customersRoute.GET, "GET", { token: t.token, query });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    return res.json as { customers: { id: string; name: string; license: { status: string } }[]; nextCursor: string | null };
  };
  const names = (r: { customers: { name: string }[] }) => r.customers.map((c) => c.name);

  it("sorts by name, created and expiry", async () => {
    expect(names(await list({ sort: "name" }))).toEqual(["Alpha Corp", "Archie", "Bravo Ltd", "Charlie 100%_off", "Delta", "Echo", "Zed"]);
    expect(names(await list({ sort: "name", order: "desc" }))[0]).toBe("Zed");
    expect(names(await list({}))[0]).toBe("Archie"); // newest first by default
    expect(names(await list({ sort: "expiry" })).slice(0, 3)).toEqual(["Charlie 100%_off", "Bravo Ltd", "Echo"]);
  });

  it("searches name, email and custom ID case-insensitively, and license IDs exactly", async () => {
    expect(names(await list({ q: "alpha" }))).toEqual(["Alpha Corp"]);
    expect(names(await list({ q: "BRAVO.EXAMPLE" }))).toEqual(["Bravo Ltd"]);
    expect(names(await list({ q: "sf-00", sort: "name" }))).toEqual(["Alpha Corp", "Delta"]);
    expect(names(await list({ q: licenseOfZed }))).toEqual(["Zed"]);
    expect(names(await list({ q: licenseOfZed.toLowerCase() === licenseOfZed ? "nomatch-xyz" : licenseOfZed.toLowerCase() }))).toEqual([]);
    // LIKE wildcards in the search are literal.
    expect(names(await list({ q: "100%_" }))).toEqual(["Charlie 100%_off"]);
    expect(names(await list({ q: "%" }))).toEqual(["Charlie 100%_off"]);
  });

  it("filters by status (same rule as the badges), type and app", async () => {
    expect(names(await list({ status: "archived" }))).toEqual(["Archie"]);
    expect(names(await list({ status: "disabled" }))).toEqual(["Delta"]);
    expect(names(await list({ status: "expired" }))).toEqual(["Charlie 100%_off"]);
    expect(names(await list({ status: "expiring" }))).toEqual(["Bravo Ltd"]);
    expect(names(await list({ status: "active", sort: "name" }))).toEqual(["Alpha Corp", "Bravo Ltd", "Echo", "Zed"]);
    for (const status of ["active", "expired", "disabled", "archived"]) {
      for (const c of (await list({ status })).customers) expect(c.license.status).toBe(status);
    }
    expect(names(await list({ type: "trial" }))).toEqual(["Bravo Ltd"]);
    expect(names(await list({ appId: app2 }))).toEqual(["Zed"]);
    expect(names(await list({ appId: app2, q: "alpha" }))).toEqual([]);
  });

  it("filters by last pull: within 30 days, not in 30 days (never included), never", async () => {
    await prisma.customer.update({ where: { id: ids.alpha! }, data: { lastPullAt: new Date(Date.now() - 86_400_000) } });
    await prisma.customer.update({ where: { id: ids.bravo! }, data: { lastPullAt: new Date(Date.now() - 40 * 86_400_000) } });
    expect(names(await list({ lastPull: "within_30d" }))).toEqual(["Alpha Corp"]);
    expect(names(await list({ lastPull: "over_30d", sort: "name" }))).toEqual(["Archie", "Bravo Ltd", "Charlie 100%_off", "Delta", "Echo", "Zed"]);
    expect(names(await list({ lastPull: "never", sort: "name" }))).toEqual(["Archie", "Charlie 100%_off", "Delta", "Echo", "Zed"]);
    expect(names(await list({ lastPull: "never", status: "active", sort: "name" }))).toEqual(["Echo", "Zed"]);
    const alpha = (await list({ q: "alpha" })).customers[0] as unknown as { lastPullAt: string };
    expect(new Date(alpha.lastPullAt).getTime()).toBeGreaterThan(Date.now() - 2 * 86_400_000);
  });

  it("page-based listing (the portal's) counts the same rows the filters return", async () => {
    const filters = [{}, { status: "active" }, { status: "expired" }, { status: "expiring" }, { status: "disabled" }, { status: "archived" }, { type: "trial" }, { q: "sf-00" }, { status: "active", appId: app2 }, { lastPull: "never" }, { lastPull: "over_30d", status: "active" }] as const;
    for (const filter of filters) {
      const all = await list({ ...filter, limit: "200" });
      const paged = await listCustomers(t.actor, { ...filter, page: 1, limit: 3 });
      expect(paged.total, JSON.stringify(filter)).toBe(all.customers.length);
      expect(paged.customers.map((c) => c.id)).toEqual(all.customers.slice(0, 3).map((c) => c.id));
      const second = await listCustomers(t.actor, { ...filter, page: 2, limit: 3 });
      expect(second.customers.map((c) => c.id)).toEqual(all.customers.slice(3, 6).map((c) => c.id));
    }
  });

  it("paginates with opaque cursors without gaps or repeats, for every sort", async () => {
    for (const [sort, order] of [["name", "asc"], ["created", "desc"], ["expiry", "asc"], ["expiry", "desc"], ["name", "desc"]] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof list>> = await list({ sort, order, limit: "2", ...(cursor ? { cursor } : {}) });
        expect(page.customers.length).toBeLessThanOrEqual(2);
        seen.push(...page.customers.map((c) => c.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen.length, `${sort} ${order}`).toBe(7);
      expect(new Set(seen).size).toBe(7);
      const all = await list({ sort, order, limit: "50" });
      expect(seen).toEqual(all.customers.map((c) => c.id));
    }
  });

  it("rejects bad query parameters with 400 naming them", async () => {
    for (const [query, field] of [
      [{ status: "sleeping" }, "status"],
      [{ type: "gold" }, "type"],
      [{ sort: "size" }, "sort"],
      [{ lastPull: "yesterday" }, "lastPull"],
      [{ limit: "0" }, "limit"],
      [{ limit: "500" }, "limit"],
      [{ limit: "ten" }, "limit"],
      [{ cursor: "garbage" }, "cursor"],
      [{ bogus: "1" }, "bogus"],
      [{ q: "x".repeat(201) }, "q"],
    ] as const) {
      const res = await call(customersRoute.GET, "GET", { token: t.token, query });
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.json.error.issues.map((i: { path: string }) => i.path)).toContain(field);
    }
    // A cursor from another sort order is refused rather than misread.
    const page = await list({ sort: "name", limit: "1" });
    const res = await call(customersRoute.GET, "GET", { token: t.token, query: { sort: "expiry", cursor: page.nextCursor! } });
    expect(res.status).toBe(400);
  });
});
