import { describe, expect, it, vi } from "vitest";

const calls = { count: 0 };
vi.mock("@/lib/domains/recheck-pending-domains", () => ({
  recheckPendingDomains: async () => {
    calls.count++;
    return { checked: 0, verified: 0, failed: 0 };
  },
}));

const { runExclusively } = await import("@/lib/db/advisory-lock");
const { startDomainRechecks } = await import("./start-domain-rechecks");

const log = { info: () => {}, warn: () => {} };

describe("startDomainRechecks with several replicas", () => {
  it("skips its rounds while another process holds the re-check lock, and runs again once it is free", async () => {
    let release!: () => void;
    const other = runExclusively("domain-recheck", () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((r) => setTimeout(r, 200));
    const checker = startDomainRechecks({ intervalMs: 100, log });
    await new Promise((r) => setTimeout(r, 700));
    expect(calls.count).toBe(0);
    release();
    await other;
    await new Promise((r) => setTimeout(r, 700));
    checker.stop();
    expect(calls.count).toBeGreaterThan(0);
  });
});
