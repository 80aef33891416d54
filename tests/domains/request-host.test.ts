import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { prisma } from "@/lib/db/client";
import { hostNameOf } from "@/lib/domains/host-name";
import { AuthorizationData } from "@/proxy/authorization-data";
import { hostServesApp, resolveRequestHost } from "@/proxy/request-host";

// Which Host headers the proxy answers on, against the real database.

const data = new AuthorizationData(prisma, () => false);

describe("request host rules", () => {
  it("strips ports and case, keeps bracketed IPv6", () => {
    expect(hostNameOf("Registry.Acme.io:8443")).toBe("registry.acme.io");
    expect(hostNameOf("registry.acme.io.")).toBe("registry.acme.io");
    expect(hostNameOf("[::1]:5050")).toBe("[::1]");
    expect(hostNameOf("127.0.0.1")).toBe("127.0.0.1");
  });

  it("matches the default host on its name, any port", async () => {
    expect(await resolveRequestHost(data, "proxy.example.com", "proxy.example.com:443")).toEqual({ kind: "default" });
    expect(await resolveRequestHost(data, "PROXY.example.com:8080", "proxy.example.com")).toEqual({ kind: "default" });
    expect(await resolveRequestHost(data, "other.example.com", "proxy.example.com")).toBeNull();
  });

  it("treats every loopback name as the default host only when the default host is one", async () => {
    for (const host of ["localhost:5050", "127.0.0.1:9999", "[::1]:5050", "dev.localhost"]) {
      expect(await resolveRequestHost(data, host, "localhost:5050"), host).toEqual({ kind: "default" });
    }
    expect(await resolveRequestHost(data, "127.0.0.1:5050", "proxy.example.com")).toBeNull();
  });

  it("serves a verified domain for its team (and app) only; pending and failed ones are unknown", async () => {
    const team = await prisma.team.create({ data: { name: "Hosts" } });
    const app = await prisma.app.create({ data: { teamId: team.id, name: "A", slug: `hosts-${randomUUID().slice(0, 8)}` } });
    const id = randomUUID().slice(0, 8);
    const make = (hostname: string, status: "pending" | "verified" | "failed", appId: string | null = null) =>
      prisma.customDomain.create({ data: { teamId: team.id, appId, hostname, status, verificationToken: "t" } });
    await make(`all-${id}.acme.test`, "verified");
    await make(`one-${id}.acme.test`, "verified", app.id);
    await make(`pending-${id}.acme.test`, "pending");
    await make(`failed-${id}.acme.test`, "failed");

    const all = await resolveRequestHost(data, `ALL-${id}.acme.test:5050`, "localhost:5050");
    expect(all).toEqual({ kind: "domain", hostname: `all-${id}.acme.test`, teamId: team.id, appId: null });
    expect(hostServesApp(all!, { id: app.id, teamId: team.id })).toBe(true);
    expect(hostServesApp(all!, { id: "x", teamId: "other-team" })).toBe(false);
    expect(hostServesApp(all!, null)).toBe(false);

    const one = await resolveRequestHost(data, `one-${id}.acme.test`, "localhost:5050");
    expect(hostServesApp(one!, { id: app.id, teamId: team.id })).toBe(true);
    expect(hostServesApp(one!, { id: "another-app", teamId: team.id })).toBe(false);

    expect(await resolveRequestHost(data, `pending-${id}.acme.test`, "localhost:5050")).toBeNull();
    expect(await resolveRequestHost(data, `failed-${id}.acme.test`, "localhost:5050")).toBeNull();
    expect(hostServesApp({ kind: "default" }, { id: "any", teamId: "any" })).toBe(true);
  });
});
