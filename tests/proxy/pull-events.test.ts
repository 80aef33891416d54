import { randomBytes } from "node:crypto";
import pg from "pg";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { createVendor } from "@/lib/teams/create-vendor";
import { createApp } from "@/lib/apps/create-app";
import { createCustomer } from "@/lib/customers/create-customer";
import { PullEventQueue, type PullEventInput } from "@/proxy/pull-events";

// The queue writes batches with one raw INSERT … unnest(): every column must
// land exactly as recorded (nulls, enum, bigint, UTC milliseconds), and a
// batch the database refuses is dropped whole and counted.

const logger = pino({ level: "silent" });

function event(teamId: string, overrides: Partial<PullEventInput> = {}): PullEventInput {
  return {
    teamId,
    appId: null,
    customerId: null,
    licenseId: "lic-" + randomBytes(4).toString("hex"),
    action: "blob",
    method: "GET",
    repository: "proxy/app/registry.example.com/acme/api",
    reference: null,
    digest: "sha256:" + "ab".repeat(32),
    status: 200,
    bytes: 5 * 1024 ** 3 + 7,
    cacheHit: true,
    clientIp: "203.0.113.9",
    userAgent: "containerd/1.7 ünïcødé",
    durationMs: 12.6,
    time: new Date("2026-11-28T10:11:12.345Z"),
    ...overrides,
  };
}

describe("PullEventQueue", () => {
  it("writes every column as recorded, in batches", async () => {
    const { team } = await createVendor({ email: `events-${randomBytes(4).toString("hex")}@example.com`, password: "correct horse battery", teamName: "Events" });
    let written = 0;
    const queue = new PullEventQueue({ prisma, logger, batchSize: 3, onWritten: (n) => (written += n) });
    const first = event(team.id);
    const second = event(team.id, { action: "manifest", method: "HEAD", reference: "1.0", digest: null, bytes: 0, cacheHit: false, clientIp: null, userAgent: null, status: 404, durationMs: 0 });
    const many = Array.from({ length: 5 }, (_, i) => event(team.id, { action: "token", reference: `r${i}`, time: new Date(Date.UTC(2026, 10, 28, 0, 0, i)) }));
    for (const e of [first, second, ...many]) queue.record(e);
    await queue.flush();
    expect(written).toBe(7);

    const rows = await prisma.pullEvent.findMany({ where: { teamId: team.id }, orderBy: { id: "asc" } });
    expect(rows).toHaveLength(7);
    expect(rows[0]).toMatchObject({
      time: first.time,
      licenseId: first.licenseId,
      action: "blob",
      method: "GET",
      repository: first.repository,
      reference: null,
      digest: first.digest,
      status: 200,
      bytes: BigInt(5 * 1024 ** 3 + 7),
      cacheHit: true,
      clientIp: "203.0.113.9",
      userAgent: "containerd/1.7 ünïcødé",
      durationMs: 13,
    });
    expect(rows[1]).toMatchObject({ action: "manifest", method: "HEAD", reference: "1.0", digest: null, status: 404, bytes: BigInt(0), cacheHit: false, clientIp: null, userAgent: null });
    expect(rows.slice(2).map((r) => [r.reference, r.time.toISOString()])).toEqual(many.map((e) => [e.reference, e.time!.toISOString()]));
  });

  it("drops a batch the database refuses, whole, and counts it", async () => {
    let dropped = 0;
    let written = 0;
    const queue = new PullEventQueue({ prisma, logger, batchSize: 10, onDrop: (n) => (dropped += n), onWritten: (n) => (written += n) });
    const { team } = await createVendor({ email: `events-${randomBytes(4).toString("hex")}@example.com`, password: "correct horse battery", teamName: "Events" });
    // The second event names a team that does not exist: the foreign key refuses the batch.
    queue.record(event(team.id));
    queue.record(event("no-such-team"));
    await queue.flush();
    expect(dropped).toBe(2);
    expect(written).toBe(0);
    expect(await prisma.pullEvent.count({ where: { teamId: team.id } })).toBe(0);
  });

  it("writes the counting decision and the reason, and moves the customer's lastPullAt forward (sampled)", async () => {
    const { user, team } = await createVendor({ email: `events-${randomBytes(4).toString("hex")}@example.com`, password: "correct horse battery", teamName: "Events" });
    const actor = { teamId: team.id, userId: user.id, tokenId: null, role: "owner" as const, label: user.email };
    const app = await createApp(actor, { name: "Events app" });
    const customer = await createCustomer(actor, { appId: app.id, name: "Puller" });
    const queue = new PullEventQueue({ prisma, logger });
    const at = (s: number) => new Date(Date.UTC(2026, 10, 28, 10, 0, s));
    const base = { customerId: customer.id, appId: app.id, action: "manifest" as const, reference: "1.0" };
    queue.record(event(team.id, { ...base, isPull: true, tag: "1.0", time: at(0) }));
    queue.record(event(team.id, { ...base, status: 403, reason: "not_in_license", isPull: true, time: at(1) }));
    queue.record(event(team.id, { ...base, action: "blob", time: at(2) }));
    await queue.flush();
    const rows = await prisma.pullEvent.findMany({ where: { teamId: team.id }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.isPull, r.tag, r.reason])).toEqual([
      [true, "1.0", null],
      [true, null, "not_in_license"],
      [false, null, null],
    ]);
    // Only a successful pull moves it (the refusal at :01 does not).
    expect((await prisma.customer.findUniqueOrThrow({ where: { id: customer.id } })).lastPullAt).toEqual(at(0));
    // Within the sample interval the row is not written again; a minute later it is.
    queue.record(event(team.id, { ...base, isPull: true, time: at(30) }));
    await queue.flush();
    expect((await prisma.customer.findUniqueOrThrow({ where: { id: customer.id } })).lastPullAt).toEqual(at(0));
    queue.record(event(team.id, { ...base, isPull: true, time: new Date(at(0).getTime() + 61_000) }));
    await queue.flush();
    expect((await prisma.customer.findUniqueOrThrow({ where: { id: customer.id } })).lastPullAt).toEqual(new Date(at(0).getTime() + 61_000));
  });

  it("a lastPullAt write does not notify the proxies' authorization caches; a customer change does", async () => {
    const { user, team } = await createVendor({ email: `events-${randomBytes(4).toString("hex")}@example.com`, password: "correct horse battery", teamName: "Events" });
    const actor = { teamId: team.id, userId: user.id, tokenId: null, role: "owner" as const, label: user.email };
    const app = await createApp(actor, { name: "Notify app" });
    const customer = await createCustomer(actor, { appId: app.id, name: "Quiet" });
    const listener = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await listener.connect();
    const notes: string[] = [];
    listener.on("notification", (n) => notes.push(n.payload ?? ""));
    try {
      await listener.query("LISTEN pullgate_changes");
      const queue = new PullEventQueue({ prisma, logger });
      queue.record(event(team.id, { customerId: customer.id, appId: app.id, action: "manifest", reference: "1.0", isPull: true, time: new Date() }));
      await queue.flush();
      expect((await prisma.customer.findUniqueOrThrow({ where: { id: customer.id } })).lastPullAt).not.toBeNull();
      // Notifications arrive in commit order: once this later one is here, an earlier one would be too.
      await prisma.app.update({ where: { id: app.id }, data: { name: "Notify app 2" } });
      await expect.poll(() => notes.length, { timeout: 5000 }).toBeGreaterThan(0);
      expect(notes).toEqual(["App"]);
      await prisma.customer.update({ where: { id: customer.id }, data: { name: "Renamed" } });
      await expect.poll(() => notes.length, { timeout: 5000 }).toBeGreaterThan(1);
      expect(notes).toEqual(["App", "Customer"]);
    } finally {
      await listener.end();
    }
  });
});
