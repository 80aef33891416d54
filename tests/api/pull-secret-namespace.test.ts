import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import * as pullSecretRoute from "@/app/api/v1/customers/[id]/pull-secret/route";
import { createApp } from "@/lib/apps/create-app";
import { createCustomer } from "@/lib/customers/create-customer";
import { call, makeTeam, type TeamFixture } from "./fixtures";

let a: TeamFixture;
let customerId: string;
let licenseId: string;

beforeAll(async () => {
  a = await makeTeam("Pull secret namespace");
  const app = await createApp(a.actor, { name: "Namespaced" });
  const customer = await createCustomer(a.actor, { appId: app.id, name: "Ns customer", email: "ops@example.com" });
  customerId = customer.id;
  licenseId = customer.license.licenseId;
});

describe("GET /api/v1/customers/{id}/pull-secret?namespace=", () => {
  it("puts the Kubernetes Secret in the namespace asked for", async () => {
    const res = await call(pullSecretRoute.GET, "GET", { token: a.token, params: { id: customerId }, query: { namespace: "acme-prod" } });
    expect(res.status).toBe(200);
    const secret = parse(res.json.secretYaml);
    expect(secret.metadata).toEqual({ name: "pullgate-registry", namespace: "acme-prod" });
    const config = JSON.parse(Buffer.from(secret.data[".dockerconfigjson"], "base64").toString());
    const auth = Buffer.from(Object.values<{ auth: string }>(config.auths)[0]!.auth, "base64").toString();
    expect(auth).toBe(`ops@example.com:${licenseId}`);
    const plain = parse((await call(pullSecretRoute.GET, "GET", { token: a.token, params: { id: customerId } })).json.secretYaml);
    expect(plain.metadata).toEqual({ name: "pullgate-registry" });
  });

  it("refuses a name Kubernetes would refuse, naming the field", async () => {
    for (const namespace of ["Prod", "a_b", "-x", "x".repeat(64), "a\nkind: Pod"]) {
      const res = await call(pullSecretRoute.GET, "GET", { token: a.token, params: { id: customerId }, query: { namespace } });
      expect(res.status, namespace).toBe(400);
      expect(res.json.error.issues[0].path).toBe("namespace");
    }
  });
});
