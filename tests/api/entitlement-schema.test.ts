import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import * as appsRoute from "@/app/api/v1/apps/route";
import * as schemaRoute from "@/app/api/v1/apps/[id]/entitlement-schema/route";
import * as customersRoute from "@/app/api/v1/customers/route";
import * as customerRoute from "@/app/api/v1/customers/[id]/route";
import { call, makeMember, makeTeam, snapshotTeam, type TeamFixture } from "./fixtures";

// An app's entitlement schema: customer create and update validate against
// it with an issue per field; stored values that no longer fit are flagged,
// never dropped.

const FIELDS = [
  { name: "seats", type: "number", required: true },
  { name: "tier", type: "string", default: "standard", required: true },
  { name: "sso", type: "boolean", default: false },
  { name: "supportUntil", type: "date" },
];

describe("entitlement schema", () => {
  let a: TeamFixture;
  let b: TeamFixture;
  let appId: string;
  beforeAll(async () => {
    a = await makeTeam("Schema A");
    b = await makeTeam("Schema B");
    appId = (await call(appsRoute.POST, "POST", { token: a.token, body: { name: "Schema", slug: `schema-${randomUUID().slice(0, 8)}` } })).json.app.id;
  });

  const put = (fields: unknown, token = a.token) => call(schemaRoute.PUT, "PUT", { token, params: { id: appId }, body: { fields } });
  const create = (body: Record<string, unknown>) => call(customersRoute.POST, "POST", { token: a.token, body: { appId, ...body } });

  it("validates the schema itself with field-level issues", async () => {
    const res = await put([
      { name: "seats", type: "integer" },
      { name: "9lives", type: "string" },
      { name: "tier", type: "number", default: "gold" },
    ]);
    expect(res.status).toBe(400);
    expect(res.json.error.issues).toEqual([
      { path: "fields.0.type", message: "Must be one of: string, number, boolean, date." },
      { path: "fields.1.name", message: expect.stringContaining("start with a letter") },
      { path: "fields.2.default", message: "The default does not fit the type: Must be a number." },
    ]);
    const twice = await put([{ name: "tier", type: "string" }, { name: "tier", type: "number" }]);
    expect(twice.json.error.issues).toEqual([{ path: "fields.1.name", message: '"tier" appears twice.' }]);
    expect((await call(schemaRoute.GET, "GET", { token: a.token, params: { id: appId } })).json.fields).toEqual([]);
    expect((await put(FIELDS, (await makeMember(a.teamId)).token)).status).toBe(403);
    expect((await put(FIELDS, b.token)).status).toBe(404);
  });

  it("refuses customers whose entitlements do not fit, naming each field; fills defaults", async () => {
    // Before a schema exists, anything goes (as before schemas): this customer's values will not fit later.
    const legacy = (await create({ name: "Legacy", entitlements: { seats: "ten", color: "blue" } })).json.customer;
    const saved = await put(FIELDS);
    expect(saved.status).toBe(200);
    expect(saved.json.fields).toEqual([
      { name: "seats", type: "number", default: null, required: true },
      { name: "tier", type: "string", default: "standard", required: true },
      { name: "sso", type: "boolean", default: false, required: false },
      { name: "supportUntil", type: "date", default: null, required: false },
    ]);
    // Flagged, not dropped.
    expect(saved.json.nonconforming).toEqual([
      {
        customerId: legacy.id,
        name: "Legacy",
        issues: expect.arrayContaining([
          { path: "entitlements.seats", message: "Must be a number." },
          { path: "entitlements.color", message: "Not a field of the app's entitlement schema." },
          { path: "entitlements.tier", message: "Required, but missing." },
        ]),
      },
    ]);
    expect((await call(customerRoute.GET, "GET", { token: a.token, params: { id: legacy.id } })).json.customer.license.entitlements).toEqual({ seats: "ten", color: "blue" });

    const before = await snapshotTeam(a.teamId);
    const bad = await create({ name: "Bad", entitlements: { seats: "ten", sso: "yes", supportUntil: "2027-02-30", extra: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.issues).toEqual(
      expect.arrayContaining([
        { path: "entitlements.seats", message: "Must be a number." },
        { path: "entitlements.sso", message: "Must be true or false." },
        { path: "entitlements.supportUntil", message: "Must be a date (YYYY-MM-DD)." },
        { path: "entitlements.extra", message: "Not a field of the app's entitlement schema." },
      ]),
    );
    const missing = await create({ name: "Missing" });
    expect(missing.json.error.issues).toEqual([{ path: "entitlements.seats", message: "Required." }]);
    expect(await snapshotTeam(a.teamId)).toBe(before);

    const good = await create({ name: "Good", entitlements: { seats: 10, supportUntil: "2027-06-30" } });
    expect(good.status).toBe(201);
    expect(good.json.customer.license.entitlements).toEqual({ seats: 10, supportUntil: "2027-06-30", tier: "standard", sso: false });
  });

  it("on update, refuses new or changed values that do not fit but keeps unchanged ones that no longer do", async () => {
    const c = (await create({ name: "Updater", entitlements: { seats: 5 } })).json.customer;
    const bad = await call(customerRoute.PATCH, "PATCH", { token: a.token, params: { id: c.id }, body: { entitlements: { ...c.license.entitlements, seats: "many" } } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.issues).toEqual([{ path: "entitlements.seats", message: "Must be a number." }]);

    const legacy = (await call(customersRoute.GET, "GET", { token: a.token, query: { q: "Legacy" } })).json.customers[0];
    // Its stored "ten" and "color" stay; a fitting change to another field is accepted, with the required tier filled.
    const ok = await call(customerRoute.PATCH, "PATCH", {
      token: a.token,
      params: { id: legacy.id },
      body: { entitlements: { seats: "ten", color: "blue", sso: true } },
    });
    expect(ok.status).toBe(200);
    expect(ok.json.customer.license.entitlements).toEqual({ seats: "ten", color: "blue", sso: true, tier: "standard" });
    // A PATCH that leaves entitlements out does not touch them.
    const renamed = await call(customerRoute.PATCH, "PATCH", { token: a.token, params: { id: legacy.id }, body: { name: "Legacy Co" } });
    expect(renamed.json.customer.license.entitlements).toEqual({ seats: "ten", color: "blue", sso: true, tier: "standard" });
    // Changing the non-fitting value to another non-fitting one is refused.
    const worse = await call(customerRoute.PATCH, "PATCH", { token: a.token, params: { id: legacy.id }, body: { entitlements: { seats: "eleven", color: "blue" } } });
    expect(worse.json.error.issues).toEqual([{ path: "entitlements.seats", message: "Must be a number." }]);
  });

  it("a number field that is not a number says so (the form's server action sends NaN for a typo)", async () => {
    const { createCustomer } = await import("@/lib/customers/create-customer");
    await expect(createCustomer(a.actor, { appId, name: "NaN", entitlements: { seats: Number.NaN } })).rejects.toMatchObject({
      issues: [{ path: "entitlements.seats", message: "Must be a number." }],
    });
  });
});
