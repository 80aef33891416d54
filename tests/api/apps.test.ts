import { beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import * as appsRoute from "@/app/api/v1/apps/route";
import * as appRoute from "@/app/api/v1/apps/[id]/route";
import * as customersRoute from "@/app/api/v1/customers/route";
import { prisma } from "@/lib/db/client";
import { call, makeMember, makeTeam, type TeamFixture } from "./fixtures";

const uniqueSlug = () => `app-${randomUUID().slice(0, 8)}`;

describe("/api/v1/apps", () => {
  let a: TeamFixture;
  beforeAll(async () => {
    a = await makeTeam("Apps A");
  });

  it("creates, lists, gets, renames and deletes an app", async () => {
    const slug = uniqueSlug();
    const created = await call(appsRoute.POST, "POST", { token: a.token, body: { name: "Acme API", slug } });
    expect(created.status).toBe(201);
    expect(created.headers.get("content-type")).toContain("application/json");
    const app = created.json.app;
    expect(Object.keys(app).sort()).toEqual(["createdAt", "id", "name", "slug"]);
    expect(app).toMatchObject({ name: "Acme API", slug });

    const list = await call(appsRoute.GET, "GET", { token: a.token });
    expect(list.status).toBe(200);
    expect(list.json.apps.map((x: { id: string }) => x.id)).toContain(app.id);

    const got = await call(appRoute.GET, "GET", { token: a.token, params: { id: app.id } });
    expect(got.status).toBe(200);
    expect(got.json.app).toEqual(app);

    const renamed = await call(appRoute.PATCH, "PATCH", { token: a.token, params: { id: app.id }, body: { name: "Acme Platform" } });
    expect(renamed.status).toBe(200);
    expect(renamed.json.app).toMatchObject({ id: app.id, name: "Acme Platform", slug });

    const deleted = await call(appRoute.DELETE, "DELETE", { token: a.token, params: { id: app.id } });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expect(await prisma.app.findUnique({ where: { id: app.id } })).toBeNull();
    expect((await call(appRoute.GET, "GET", { token: a.token, params: { id: app.id } })).status).toBe(404);
  });

  it("suggests a slug from the name and de-duplicates suggestions", async () => {
    const name = `Zeta ${randomUUID().slice(0, 6)} Éditions!`;
    const first = await call(appsRoute.POST, "POST", { token: a.token, body: { name } });
    expect(first.status).toBe(201);
    expect(first.json.app.slug).toMatch(/^zeta-[a-z0-9]{6}-editions$/);
    const second = await call(appsRoute.POST, "POST", { token: a.token, body: { name } });
    expect(second.status).toBe(201);
    expect(second.json.app.slug).toBe(`${first.json.app.slug}-2`);
  });

  it("answers 409 with a clear message when a chosen slug is taken, even by another team", async () => {
    const slug = uniqueSlug();
    const b = await makeTeam("Apps B");
    expect((await call(appsRoute.POST, "POST", { token: b.token, body: { name: "B", slug } })).status).toBe(201);
    const res = await call(appsRoute.POST, "POST", { token: a.token, body: { name: "A", slug } });
    expect(res.status).toBe(409);
    expect(res.json).toEqual({ error: { code: "conflict", message: `The slug "${slug}" is already taken. Choose another.` } });
  });

  it.each([
    [{}, "name"],
    [{ name: "" }, "name"],
    [{ name: "   " }, "name"],
    [{ name: "x".repeat(101) }, "name"],
    [{ name: 42 }, "name"],
    [{ name: "ok", slug: "A" }, "slug"],
    [{ name: "ok", slug: "has space" }, "slug"],
    [{ name: "ok", slug: "x".repeat(41) }, "slug"],
    [{ name: "ok", slug: 7 }, "slug"],
    [{ name: "ok", color: "red" }, "color"],
  ])("POST %j → 400 naming %s, nothing written", async (body, field) => {
    const before = await prisma.app.count({ where: { teamId: a.teamId } });
    const res = await call(appsRoute.POST, "POST", { token: a.token, body });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("invalid_request");
    expect(res.json.error.message).toContain(field);
    expect(res.json.error.issues.map((i: { path: string }) => i.path)).toContain(field);
    expect(await prisma.app.count({ where: { teamId: a.teamId } })).toBe(before);
  });

  it("rejects invalid JSON and non-object bodies with 400", async () => {
    const bad = await call(appsRoute.POST, "POST", { token: a.token, rawBody: "{name: nope" });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: "invalid_request", message: "The request body is not valid JSON." });
    const arr = await call(appsRoute.POST, "POST", { token: a.token, body: ["x"] });
    expect(arr.status).toBe(400);
    expect(arr.json.error.code).toBe("invalid_request");
  });

  it("PATCH validates and ignores nothing: unknown fields and slug changes are refused", async () => {
    const app = (await call(appsRoute.POST, "POST", { token: a.token, body: { name: "Keep", slug: uniqueSlug() } })).json.app;
    const res = await call(appRoute.PATCH, "PATCH", { token: a.token, params: { id: app.id }, body: { name: "New", slug: "other" } });
    expect(res.status).toBe(400);
    expect(res.json.error.issues).toEqual([{ path: "slug", message: "Unknown field." }]);
    const empty = await call(appRoute.PATCH, "PATCH", { token: a.token, params: { id: app.id }, body: { name: "" } });
    expect(empty.status).toBe(400);
    expect((await prisma.app.findUniqueOrThrow({ where: { id: app.id } })).name).toBe("Keep");
  });

  it("refuses to delete an app that has customers (409)", async () => {
    const app = (await call(appsRoute.POST, "POST", { token: a.token, body: { name: "Busy", slug: uniqueSlug() } })).json.app;
    expect((await call(customersRoute.POST, "POST", { token: a.token, body: { appId: app.id, name: "Cust" } })).status).toBe(201);
    const res = await call(appRoute.DELETE, "DELETE", { token: a.token, params: { id: app.id } });
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe("conflict");
    expect(res.json.error.message).toMatch(/1 customer/);
    expect(await prisma.app.findUnique({ where: { id: app.id } })).not.toBeNull();
  });

  it("401 without or with a bad token, as JSON", async () => {
    for (const token of [null, "pgt_nope", "pgt_AAAAAAAA_" + "B".repeat(40)]) {
      const res = await call(appsRoute.GET, "GET", { token });
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe("unauthenticated");
    }
  });

  it("members may read but every mutation is 403", async () => {
    const app = (await call(appsRoute.POST, "POST", { token: a.token, body: { name: "Members", slug: uniqueSlug() } })).json.app;
    const member = await makeMember(a.teamId);
    expect((await call(appsRoute.GET, "GET", { token: member.token })).status).toBe(200);
    expect((await call(appRoute.GET, "GET", { token: member.token, params: { id: app.id } })).status).toBe(200);
    const attempts = [
      await call(appsRoute.POST, "POST", { token: member.token, body: { name: "Nope", slug: uniqueSlug() } }),
      await call(appRoute.PATCH, "PATCH", { token: member.token, params: { id: app.id }, body: { name: "Nope" } }),
      await call(appRoute.DELETE, "DELETE", { token: member.token, params: { id: app.id } }),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(403);
      expect(res.json.error.code).toBe("forbidden");
      expect(res.json.error.message).toMatch(/read-only/);
    }
    expect((await prisma.app.findUniqueOrThrow({ where: { id: app.id } })).name).toBe("Members");
  });
});
