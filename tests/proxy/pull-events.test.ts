import { randomBytes } from "node:crypto";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { createVendor } from "@/lib/teams/create-vendor";
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
});
