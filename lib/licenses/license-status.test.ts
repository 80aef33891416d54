import { describe, expect, it } from "vitest";
import { getLicenseStatus } from "@/lib/licenses/license-status";

const now = new Date("2026-11-28T12:00:00.000Z");
const day = 24 * 60 * 60 * 1000;
const at = (ms: number) => new Date(now.getTime() + ms);

describe("getLicenseStatus", () => {
  it("never-expiring license with access is active", () => {
    expect(getLicenseStatus({ expiresAt: null, registryAccess: true, archivedAt: null }, now)).toEqual({
      status: "active",
      label: "Active",
      mayPull: true,
    });
  });

  it("far future expiry is plain Active with days left", () => {
    const s = getLicenseStatus({ expiresAt: at(30 * day), registryAccess: true, archivedAt: null }, now);
    expect(s).toMatchObject({ status: "active", label: "Active", mayPull: true, expiresInDays: 30 });
    expect(s.reason).toBeUndefined();
  });

  it.each([
    [14 * day, "Expires in 14 days", 14],
    [13 * day + 1, "Expires in 14 days", 14],
    [2 * day, "Expires in 2 days", 2],
    [day, "Expires in 1 day", 1],
    [60_000, "Expires in 1 day", 1],
    [1, "Expires in 1 day", 1],
  ])("expiring within 14 days (%d ms left) is still active: %s", (ms, label, days) => {
    expect(getLicenseStatus({ expiresAt: at(ms), registryAccess: true, archivedAt: null }, now)).toEqual({
      status: "active",
      label,
      mayPull: true,
      expiresInDays: days,
    });
  });

  it("14 days and a bit is Active, not expiring", () => {
    expect(getLicenseStatus({ expiresAt: at(14 * day + 1), registryAccess: true, archivedAt: null }, now).label).toBe("Active");
  });

  it.each([0, -1, -day, -400 * day])("expired at or before now (%d ms)", (ms) => {
    const expiresAt = at(ms);
    expect(getLicenseStatus({ expiresAt, registryAccess: true, archivedAt: null }, now)).toEqual({
      status: "expired",
      label: "Expired",
      mayPull: false,
      reason: `license expired on ${expiresAt.toISOString().slice(0, 10)}`,
    });
  });

  it("reason names the UTC expiry date", () => {
    const s = getLicenseStatus({ expiresAt: new Date("2026-10-01T23:30:00Z"), registryAccess: true, archivedAt: null }, now);
    expect(s.reason).toBe("license expired on 2026-10-01");
  });

  it("accepts ISO strings", () => {
    expect(getLicenseStatus({ expiresAt: "2026-10-01T00:00:00Z", registryAccess: true, archivedAt: null }, now).status).toBe("expired");
    expect(getLicenseStatus({ expiresAt: null, registryAccess: true, archivedAt: "2026-10-01T00:00:00Z" }, now).status).toBe("archived");
  });

  it("access off denies even when not expired", () => {
    expect(getLicenseStatus({ expiresAt: null, registryAccess: false, archivedAt: null }, now)).toEqual({
      status: "disabled",
      label: "Access off",
      mayPull: false,
      reason: "registry access is turned off for this license",
    });
  });

  it("access off wins over expired", () => {
    expect(getLicenseStatus({ expiresAt: at(-day), registryAccess: false, archivedAt: null }, now).status).toBe("disabled");
  });

  it("archived wins over everything", () => {
    for (const registryAccess of [true, false]) {
      for (const expiresAt of [null, at(-day), at(day), at(100 * day)]) {
        expect(getLicenseStatus({ expiresAt, registryAccess, archivedAt: at(-1000) }, now)).toEqual({
          status: "archived",
          label: "Archived",
          mayPull: false,
          reason: "customer is archived",
        });
      }
    }
  });

  it("uses the current time by default", () => {
    expect(getLicenseStatus({ expiresAt: new Date(Date.now() - 1000), registryAccess: true, archivedAt: null }).status).toBe("expired");
    expect(getLicenseStatus({ expiresAt: new Date(Date.now() + 100 * day), registryAccess: true, archivedAt: null }).status).toBe("active");
  });
});

describe("getLicenseStatus on rows with missing fields", () => {
  it("reads an absent archivedAt or expiresAt (undefined, e.g. from JSON) as not set", () => {
    const row = { registryAccess: true } as unknown as Parameters<typeof getLicenseStatus>[0];
    expect(getLicenseStatus(row, now)).toEqual({ status: "active", label: "Active", mayPull: true });
    expect(getLicenseStatus({ ...row, archivedAt: null } as Parameters<typeof getLicenseStatus>[0], now).status).toBe("active");
  });
});
