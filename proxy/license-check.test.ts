import { describe, expect, it } from "vitest";
import type { AppRecord, AuthorizationData, LicenseRecord, RegistryRecord } from "./authorization-data";
import { checkLicenseAccess } from "./license-check";
import { DEFAULT_HOST, type HostScope } from "./request-host";

// The per-request check over in-memory rows: which app a slug names for this
// license (only its own team's, and only where the request's host serves it),
// whose registries are consulted, and what a refusal carries for the pull
// event. The rule itself is lib/licenses/decide-pull.ts (its own tests).

const appA: AppRecord = { id: "app-a", teamId: "team-a", slug: "alpha" };
const appA2: AppRecord = { id: "app-a2", teamId: "team-a", slug: "alpha-two" };
const appB: AppRecord = { id: "app-b", teamId: "team-b", slug: "bravo" };

function registry(teamId: string, name: string): RegistryRecord {
  return { id: `reg-${teamId}`, provider: "other", endpoint: `${name}.example.com`, name, username: "u", secretCiphertext: "x", allowHttp: false, allApps: true, appIds: [], updatedAt: new Date(0) };
}

function license(teamId: string, appId: string, overrides: Partial<LicenseRecord> = {}): LicenseRecord {
  return {
    id: `lic-${appId}`,
    licenseId: "L".repeat(27),
    teamId,
    expiresAt: null,
    registryAccess: true,
    imagePatterns: [],
    customer: { id: `cust-${appId}`, name: "c", email: null, archivedAt: null, appId },
    ...overrides,
  };
}

function fakeData(): AuthorizationData & { registriesAskedFor: string[] } {
  const apps = [appA, appA2, appB];
  const registriesAskedFor: string[] = [];
  return {
    registriesAskedFor,
    app: async (slug: string) => apps.find((a) => a.slug === slug) ?? null,
    registries: async (teamId: string) => {
      registriesAskedFor.push(teamId);
      return [registry(teamId, "reg")];
    },
  } as unknown as AuthorizationData & { registriesAskedFor: string[] };
}

const segments = ["reg", "acme", "api"];
const domain = (teamId: string, appId: string | null): HostScope => ({ kind: "domain", hostname: "registry.vendor.test", teamId, appId });

describe("checkLicenseAccess", () => {
  it("allows the license's own app on the default host, with its team's registry", async () => {
    const data = fakeData();
    const decision = await checkLicenseAccess(data, license("team-a", "app-a"), "alpha", segments);
    expect(decision).toMatchObject({ ok: true, app: appA, registry: { id: "reg-team-a" }, upstreamImage: "acme/api" });
    expect(data.registriesAskedFor).toEqual(["team-a"]);
  });

  it("reads another team's app as unknown, without loading that team's registries or naming the app in the event", async () => {
    const data = fakeData();
    const decision = await checkLicenseAccess(data, license("team-b", "app-b"), "alpha", segments, DEFAULT_HOST);
    expect(decision).toMatchObject({ ok: false, code: "NAME_UNKNOWN", reason: "not_found", app: null });
    expect(decision.ok || decision.message).toBe('repository name not known to registry: unknown app "alpha"');
    expect(data.registriesAskedFor).toEqual([]);
  });

  it("on a custom domain serves only the domain's team, and only its app when limited to one", async () => {
    const own = license("team-a", "app-a");
    expect((await checkLicenseAccess(fakeData(), own, "alpha", segments, domain("team-a", null))).ok).toBe(true);
    expect((await checkLicenseAccess(fakeData(), own, "alpha", segments, domain("team-a", "app-a"))).ok).toBe(true);
    for (const scope of [domain("team-a", "app-a2"), domain("team-b", null)]) {
      const data = fakeData();
      const refused = await checkLicenseAccess(data, own, "alpha", segments, scope);
      expect(refused).toMatchObject({ ok: false, code: "NAME_UNKNOWN", app: null });
      expect(data.registriesAskedFor).toEqual([]);
    }
  });

  it("keeps the app on a refusal by the license, for the pull event", async () => {
    const wrongApp = await checkLicenseAccess(fakeData(), license("team-a", "app-a2"), "alpha", segments);
    expect(wrongApp).toMatchObject({ ok: false, code: "DENIED", reason: "wrong_app", app: appA });
    const off = await checkLicenseAccess(fakeData(), license("team-a", "app-a", { registryAccess: false }), "alpha", segments);
    expect(off).toMatchObject({ ok: false, code: "DENIED", reason: "access_off", app: appA });
    expect(off.ok || off.license.id).toBe("lic-app-a");
  });

  it("an unknown slug is unknown", async () => {
    expect(await checkLicenseAccess(fakeData(), license("team-a", "app-a"), "nope", segments)).toMatchObject({ ok: false, code: "NAME_UNKNOWN", app: null });
  });

  it("uses the time it is given for expiry", async () => {
    const expiring = license("team-a", "app-a", { expiresAt: new Date("2026-06-01T00:00:00Z") });
    expect((await checkLicenseAccess(fakeData(), expiring, "alpha", segments, DEFAULT_HOST, new Date("2026-05-31T00:00:00Z"))).ok).toBe(true);
    expect(await checkLicenseAccess(fakeData(), expiring, "alpha", segments, DEFAULT_HOST, new Date("2026-06-02T00:00:00Z"))).toMatchObject({ ok: false, reason: "expired" });
  });
});
