import { describe, expect, it } from "vitest";
import { decidePull, draftLicense, type PullLicense, type PullRegistry } from "@/lib/licenses/decide-pull";

const now = new Date("2026-11-30T12:00:00Z");
const app = { id: "app1", teamId: "team1", slug: "acme" };
const registries: PullRegistry[] = [
  { id: "r-alias", provider: "other", endpoint: "127.0.0.1:5000", name: "vendor", allApps: true, appIds: [] },
  { id: "r-host", provider: "other", endpoint: "registry.example.com", name: null, allApps: true, appIds: [] },
  { id: "r-hub", provider: "dockerhub", endpoint: "index.docker.io", name: null, allApps: true, appIds: [] },
  { id: "r-other-app", provider: "other", endpoint: "other.example.com", name: "elsewhere", allApps: false, appIds: ["app2"] },
];

function license(overrides: Partial<PullLicense> = {}, customer: Partial<PullLicense["customer"]> = {}): PullLicense {
  return { teamId: "team1", expiresAt: null, registryAccess: true, imagePatterns: [], ...overrides, customer: { appId: "app1", archivedAt: null, ...customer } };
}

const decide = (l: PullLicense, path: string, extra: { app?: typeof app | null; hostServesApp?: boolean } = {}) =>
  decidePull({ license: l, app: extra.app === undefined ? app : extra.app, hostServesApp: extra.hostServesApp, registries, segments: path.split("/"), now });

describe("decidePull", () => {
  it("resolves an alias, a host and Docker Hub to the linked registry", () => {
    expect(decide(license(), "vendor/acme/api")).toMatchObject({ ok: true, registry: { id: "r-alias" }, upstreamImage: "acme/api" });
    expect(decide(license(), "registry.example.com/acme/api")).toMatchObject({ ok: true, registry: { id: "r-host" }, upstreamImage: "acme/api" });
    expect(decide(license(), "docker.io/nginx")).toMatchObject({ ok: true, registry: { id: "r-hub" }, upstreamImage: "library/nginx" });
    expect(decide(license(), "nginx")).toMatchObject({ ok: true, registry: { id: "r-hub" }, upstreamImage: "library/nginx" });
  });

  it.each([
    ["expired", license({ expiresAt: new Date("2026-10-01T00:00:00Z") }), "DENIED", "license expired on 2026-10-01"],
    ["access_off", license({ registryAccess: false }), "DENIED", "registry access is turned off for this license"],
    ["archived", license({}, { archivedAt: new Date("2026-11-01T00:00:00Z") }), "DENIED", "customer is archived"],
    ["wrong_app", license({}, { appId: "app2" }), "DENIED", 'this license is not valid for app "acme"'],
    ["not_in_license", license({ imagePatterns: ["acme/web"] }), "DENIED", "image not included in this license"],
  ])("refuses with reason %s", (reason, l, code, message) => {
    expect(decide(l, "vendor/acme/api")).toEqual({ ok: false, code, reason, message });
  });

  it("answers not_found for unknown apps, other teams' apps, hosts that do not serve the app and registries the app may not use", () => {
    const notFound = { ok: false, code: "NAME_UNKNOWN", reason: "not_found" };
    expect(decide(license(), "vendor/acme/api", { app: null })).toMatchObject(notFound);
    expect(decide(license(), "vendor/acme/api", { app: { ...app, teamId: "team2" } })).toMatchObject(notFound);
    expect(decide(license(), "vendor/acme/api", { hostServesApp: false })).toMatchObject(notFound);
    expect(decide(license(), "elsewhere/acme/api")).toMatchObject(notFound);
    expect(decide(license(), "ghcr.io/acme/api")).toMatchObject(notFound);
    expect(decide(license(), "vendor")).toMatchObject(notFound);
  });

  it("matches patterns with and without the registry segment", () => {
    expect(decide(license({ imagePatterns: ["vendor/acme/*"] }), "vendor/acme/api").ok).toBe(true);
    expect(decide(license({ imagePatterns: ["acme/api"] }), "vendor/acme/api").ok).toBe(true);
    expect(decide(license({ imagePatterns: ["acme/api"] }), "vendor/acme/api/sub").ok).toBe(false);
    expect(decide(license({ imagePatterns: ["docker.io/nginx"] }), "nginx").ok).toBe(true);
  });

  it("a draft license previews patterns as an active license of the app", () => {
    expect(decide(draftLicense("team1", "app1", ["acme/web"]), "vendor/acme/web").ok).toBe(true);
    expect(decide(draftLicense("team1", "app1", ["acme/web"]), "vendor/acme/api")).toMatchObject({ reason: "not_in_license" });
  });
});

describe("decidePull: exact refusals and the Docker Hub spellings", () => {
  const refused = (l: PullLicense, path: string, regs: PullRegistry[] = registries) =>
    decidePull({ license: l, app, registries: regs, segments: path.split("/"), now });

  it("says which part of the name is unknown, word for word", () => {
    expect(decidePull({ license: license(), app: null, appSlug: "nope", registries, segments: ["vendor", "x"], now })).toEqual({
      ok: false, code: "NAME_UNKNOWN", reason: "not_found", message: 'repository name not known to registry: unknown app "nope"',
    });
    expect(refused(license(), "vendor")).toEqual({ ok: false, code: "NAME_UNKNOWN", reason: "not_found", message: 'repository name not known to registry: no image path after registry "vendor"' });
    const noHub = registries.filter((r) => r.id !== "r-hub");
    expect(refused(license(), "nginx", noHub)).toMatchObject({ message: 'repository name not known to registry: no registry "nginx" is linked for app "acme" (and Docker Hub is not linked either)' });
    expect(refused(license(), "docker.io/nginx", noHub)).toMatchObject({ message: 'repository name not known to registry: no registry "docker.io" is linked for app "acme"' });
    expect(refused(license(), "elsewhere/api")).toMatchObject({ message: 'repository name not known to registry: no registry "elsewhere" is linked for app "acme"' });
    expect(refused(license(), "ghcr.io/acme/api")).toMatchObject({ message: 'repository name not known to registry: no registry "ghcr.io" is linked for app "acme"' });
  });

  it("finds Docker Hub by provider or by endpoint, and ignores registries without an alias as aliases", () => {
    const byEndpoint: PullRegistry[] = [{ id: "r-hub-host", provider: "other", endpoint: "registry-1.docker.io", name: null, allApps: true, appIds: [] }];
    expect(refused(license(), "nginx", byEndpoint)).toMatchObject({ ok: true, registry: { id: "r-hub-host" }, upstreamImage: "library/nginx" });
    const byProvider: PullRegistry[] = [{ id: "r-hub-p", provider: "dockerhub", endpoint: "mirror.example.com", name: null, allApps: true, appIds: [] }];
    expect(refused(license(), "nginx", byProvider)).toMatchObject({ ok: true, registry: { id: "r-hub-p" } });
    expect(refused(license(), "nginx", [{ ...byProvider[0]!, provider: "other" }])).toMatchObject({ ok: false, code: "NAME_UNKNOWN" });
  });

  it("matches patterns against alias or host, and docker.io/<name> for official images only", () => {
    expect(refused(license({ imagePatterns: ["vendor/acme/*"] }), "vendor/acme/api").ok).toBe(true);
    expect(refused(license({ imagePatterns: ["127.0.0.1:5000/acme/*"] }), "vendor/acme/api").ok).toBe(false);
    expect(refused(license({ imagePatterns: ["registry.example.com/acme/*"] }), "registry.example.com/acme/api").ok).toBe(true);
    expect(refused(license({ imagePatterns: ["docker.io/nginx"] }), "nginx").ok).toBe(true);
    expect(refused(license({ imagePatterns: ["docker.io/api"] }), "acme/api").ok).toBe(false);
    expect(refused(license({ imagePatterns: ["docker.io/api"] }), "registry.example.com/library/api").ok).toBe(false);
  });
});
