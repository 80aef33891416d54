import { randomBytes } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createApp } from "@/lib/apps/create-app";
import { prisma } from "@/lib/db/client";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { AuthorizationData } from "../../proxy/authorization-data";
import { makeTeam, type TeamFixture } from "../api/fixtures";

// The cache in front of the rows every request is authorized against, on the
// real database. Its reads of the App table are counted, and can be held (the
// query runs, its answer waits) or made to fail: what is checked is when the
// database is asked and which answer is kept.

let team: TeamFixture;
beforeAll(async () => {
  team = await makeTeam("Authorization cache");
});

/** A new app of the test team, and a cache whose App reads are counted. */
async function appAndCache(options: { notificationsHealthy?: boolean } = {}) {
  const app = await createApp(team.actor, { name: "Cache test app" });
  const reads = { count: 0, held: null as Promise<void> | null, fail: false };
  const client = {
    app: {
      findUnique: async (args: Parameters<PrismaClient["app"]["findUnique"]>[0]) => {
        reads.count++;
        if (reads.fail) throw new Error("database unavailable");
        const held = reads.held;
        const row = await prisma.app.findUnique(args);
        if (held) await held;
        return row;
      },
    },
  };
  const data = new AuthorizationData(client as unknown as PrismaClient, () => options.notificationsHealthy ?? true);
  /** Holds the reads that start from now on until the returned function is called. */
  const hold = () => {
    let release!: () => void;
    reads.held = new Promise((resolve) => (release = resolve));
    return release;
  };
  /** The app's slug moves away: a read by the old slug finds nothing. */
  const renameAway = () => prisma.app.update({ where: { id: app.id }, data: { slug: `moved-${randomBytes(6).toString("hex")}` } });
  return { app, reads, data, hold, renameAway };
}

/** The same, with the app read once at a fake clock's start. */
async function readOnce(options: { notificationsHealthy?: boolean } = {}) {
  vi.useFakeTimers({ toFake: ["Date"] });
  const fixture = await appAndCache(options);
  const start = Date.now();
  await fixture.data.app(fixture.app.slug);
  return { ...fixture, start };
}

/** Lets a background read that was released finish. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe("AuthorizationData", () => {
  afterEach(() => vi.useRealTimers());

  it("64 requests missing at once wait for one read", async () => {
    const { app, reads, data } = await appAndCache();
    const answers = await Promise.all(Array.from({ length: 64 }, () => data.app(app.slug)));
    expect(reads.count).toBe(1);
    expect(new Set(answers.map((a) => a?.id))).toEqual(new Set([app.id]));
  });

  it("an entry asked for late in its life is answered at once and read again once in the background", async () => {
    const { app, reads, data, hold, renameAway, start } = await readOnce();
    vi.setSystemTime(start + 20_000);
    await data.app(app.slug);
    expect(reads.count).toBe(1);

    await renameAway();
    const release = hold();
    vi.setSystemTime(start + 25_000);
    const during = await Promise.all(Array.from({ length: 16 }, () => data.app(app.slug)));
    expect(during.map((a) => a?.id)).toEqual(Array(16).fill(app.id));
    expect(reads.count).toBe(2);
    release();
    await settle();
    expect(await data.app(app.slug)).toBeNull();
    expect(reads.count).toBe(2);
    // The refreshed entry starts a life of its own: no read before its own three quarters.
    vi.setSystemTime(start + 25_000 + 20_000);
    await data.app(app.slug);
    expect(reads.count).toBe(2);
  });

  it("an entry past its life is read again before answering", async () => {
    const { app, reads, data, renameAway, start } = await readOnce();
    await renameAway();
    vi.setSystemTime(start + 30_000);
    expect(await data.app(app.slug)).toBeNull();
    expect(reads.count).toBe(2);
  });

  it("without change notifications entries live one second, and are refreshed ahead within it", async () => {
    const { app, reads, data, hold, renameAway, start } = await readOnce({ notificationsHealthy: false });
    vi.setSystemTime(start + 700);
    await data.app(app.slug);
    expect(reads.count).toBe(1);
    await renameAway();
    const release = hold();
    vi.setSystemTime(start + 800);
    expect((await data.app(app.slug))?.id).toBe(app.id);
    expect(reads.count).toBe(2);
    release();
    await settle();
    expect(await data.app(app.slug)).toBeNull();
    expect(reads.count).toBe(2);
  });

  it("a change notification during a background read keeps its answer out: the next request reads again", async () => {
    const { app, reads, data, hold, renameAway, start } = await readOnce();
    const release = hold();
    vi.setSystemTime(start + 25_000);
    await data.app(app.slug); // starts the background read of the old row
    await settle(); // that read has seen the row by now
    reads.held = null;
    await renameAway(); // the app's slug changes…
    data.invalidate(); // …and the notification arrives while that read is out
    release();
    await settle();
    expect(await data.app(app.slug)).toBeNull();
    expect(reads.count).toBe(3);
  });

  it("a request after a change notification does not join a read that began before it", async () => {
    const { app, reads, data, hold, renameAway } = await appAndCache();
    const release = hold();
    const before = data.app(app.slug); // a miss: its read sees the app…
    await settle();
    reads.held = null;
    await renameAway();
    data.invalidate(); // …which then changes, and the notification arrives
    expect(await data.app(app.slug)).toBeNull(); // a read of its own
    expect(reads.count).toBe(2);
    release();
    expect((await before)?.id).toBe(app.id); // the earlier request gets what it read, and it is not kept
    expect(await data.app(app.slug)).toBeNull();
    expect(reads.count).toBe(2);
  });

  it("a failed background read keeps the entry until its life ends; then the failure reaches the request", async () => {
    const { app, reads, data, start } = await readOnce();
    reads.fail = true;
    vi.setSystemTime(start + 25_000);
    expect((await data.app(app.slug))?.id).toBe(app.id);
    await settle();
    // Tried again by the next request after the failure, still answered meanwhile.
    expect((await data.app(app.slug))?.id).toBe(app.id);
    expect(reads.count).toBe(3);
    vi.setSystemTime(start + 30_000);
    await expect(data.app(app.slug)).rejects.toThrow("database unavailable");
  });
});
