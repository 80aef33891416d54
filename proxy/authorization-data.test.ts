import { afterEach, describe, expect, it, vi } from "vitest";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { AuthorizationData, type AppRecord } from "./authorization-data";

// The cache in front of the rows every request is authorized against. The
// database is a counted stand-in: what is checked is when it is asked.

function appTable() {
  const table = {
    reads: 0,
    row: { id: "app-1", teamId: "team-1", slug: "acme" } as AppRecord | null,
    /** While set, reads wait for it before answering (the row is taken when the read starts). */
    held: null as Promise<void> | null,
    fail: false,
    findUnique: async () => {
      table.reads++;
      const row = table.row && { ...table.row };
      if (table.held) await table.held;
      if (table.fail) throw new Error("database unavailable");
      return row;
    },
  };
  return table;
}

function dataWith(table: ReturnType<typeof appTable>, healthy = true) {
  return new AuthorizationData({ app: { findUnique: table.findUnique } } as unknown as PrismaClient, () => healthy);
}

describe("AuthorizationData", () => {
  afterEach(() => vi.useRealTimers());

  it("64 requests missing at once wait for one read", async () => {
    const table = appTable();
    const data = dataWith(table);
    const answers = await Promise.all(Array.from({ length: 64 }, () => data.app("acme")));
    expect(table.reads).toBe(1);
    expect(new Set(answers.map((a) => a?.id))).toEqual(new Set(["app-1"]));
  });

  it("an entry asked for late in its life is answered at once and read again once in the background", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const table = appTable();
    const data = dataWith(table);
    const start = Date.now();
    await data.app("acme");
    vi.setSystemTime(start + 20_000);
    await data.app("acme");
    expect(table.reads).toBe(1);

    table.row = { id: "app-1", teamId: "team-1", slug: "acme-renamed" };
    let release!: () => void;
    table.held = new Promise((resolve) => (release = resolve));
    vi.setSystemTime(start + 25_000);
    const during = await Promise.all(Array.from({ length: 16 }, () => data.app("acme")));
    expect(during.map((a) => a?.slug)).toEqual(Array(16).fill("acme"));
    expect(table.reads).toBe(2);
    release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await data.app("acme"))?.slug).toBe("acme-renamed");
    expect(table.reads).toBe(2);
    // The refreshed entry starts a life of its own: no read before its own three quarters.
    vi.setSystemTime(start + 25_000 + 20_000);
    await data.app("acme");
    expect(table.reads).toBe(2);
  });

  it("an entry past its life is read again before answering", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const table = appTable();
    const data = dataWith(table);
    const start = Date.now();
    await data.app("acme");
    table.row = null;
    vi.setSystemTime(start + 30_000);
    expect(await data.app("acme")).toBeNull();
    expect(table.reads).toBe(2);
  });

  it("without change notifications entries live one second, and are refreshed ahead within it", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const table = appTable();
    const data = dataWith(table, false);
    const start = Date.now();
    await data.app("acme");
    vi.setSystemTime(start + 700);
    await data.app("acme");
    expect(table.reads).toBe(1);
    table.row = null;
    vi.setSystemTime(start + 800);
    expect((await data.app("acme"))?.id).toBe("app-1");
    expect(table.reads).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await data.app("acme")).toBeNull();
    expect(table.reads).toBe(2);
  });

  it("a change notification during a background read keeps its answer out: the next request reads again", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const table = appTable();
    const data = dataWith(table);
    const start = Date.now();
    await data.app("acme");
    let release!: () => void;
    table.held = new Promise((resolve) => (release = resolve));
    vi.setSystemTime(start + 25_000);
    await data.app("acme"); // starts the background read of the old row
    table.row = null; // the app is deleted…
    data.invalidate(); // …and the notification arrives while that read is out
    table.held = null;
    release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await data.app("acme")).toBeNull();
    expect(table.reads).toBe(3);
  });

  it("a failed background read keeps the entry until its life ends; then the failure reaches the request", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const table = appTable();
    const data = dataWith(table);
    const start = Date.now();
    await data.app("acme");
    table.fail = true;
    vi.setSystemTime(start + 25_000);
    expect((await data.app("acme"))?.id).toBe("app-1");
    await new Promise((resolve) => setTimeout(resolve, 10));
    // Tried again by the next request after the failure, still answered meanwhile.
    expect((await data.app("acme"))?.id).toBe("app-1");
    expect(table.reads).toBe(3);
    vi.setSystemTime(start + 30_000);
    await expect(data.app("acme")).rejects.toThrow("database unavailable");
  });
});
