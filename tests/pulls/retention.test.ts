import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { spawnSync } from "node:child_process";
import { proxyNodeArgs } from "@/cli/proxy-bundle";
import { startPullEventMaintenance } from "@/lib/pulls/start-pull-event-maintenance";
import { createPrisma, getPrisma } from "@/lib/db/client";
import { PGlite } from "@electric-sql/pglite";
import { serveEmbedded } from "@/lib/db/embedded-server";
import { prisma } from "@/lib/db/client";
import { DEFAULT_MIGRATIONS_DIR, migrate } from "@/lib/db/migrate";
import { parsePullEventRetentionDays } from "@/lib/config";
import { createApp } from "@/lib/apps/create-app";
import { createCustomer } from "@/lib/customers/create-customer";
import type { Prisma } from "@/lib/generated/prisma/client";
import { getPullActivity, type PullActivityDay } from "@/lib/pulls/pull-activity";
import { listVersionsInUse, type VersionInUse } from "@/lib/pulls/versions-in-use";
import { hasPullEvents } from "@/lib/pulls/has-pull-events";
import { PULL_MAINTENANCE_LOCK_KEY, rollUpPullEvents } from "@/lib/pulls/roll-up-pull-events";
import { deleteExpiredPullEvents } from "@/lib/pulls/delete-expired-pull-events";
import { createScratchDatabase, query } from "../db/scratch-database";
import { makeTeam, type TeamFixture } from "../api/fixtures";

// Retention and hourly rollups of pull events (issue 15): the charts and
// "versions in use" answer the same figures from the rollups after the raw
// rows are gone, and the job never counts an event twice.

const DAY = 86_400_000;
const D = (n: number) => "sha256:" + n.toString(16).padStart(64, "0");
const NOW = Date.now();

let a: TeamFixture;
let b: TeamFixture;
let customers: string[] = [];
let bCustomer: string;

/** Deterministic pseudo-random numbers, so a failure reproduces. */
function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

function events(team: TeamFixture, appId: string, customerIds: string[], count: number, seed: number, ageDays: [number, number]): Prisma.PullEventCreateManyInput[] {
  const r = rng(seed);
  const reasons = ["expired", "not_found", "upstream_error", "bad_credentials", null] as const;
  const out: Prisma.PullEventCreateManyInput[] = [];
  for (let i = 0; i < count; i++) {
    const age = ageDays[0] + r() * (ageDays[1] - ageDays[0]);
    // Some events share a time to the millisecond: the newest is then the one with the larger id.
    const time = new Date(Math.floor((NOW - age * DAY) / 1000) * 1000);
    const ok = r() < 0.7;
    const repo = `proxy/app/reg/acme/${["api", "web", "db"][Math.floor(r() * 3)]}`;
    const byDigest = r() < 0.15;
    const tag = byDigest ? null : ["1.0", "1.1", "2.0"][Math.floor(r() * 3)]!;
    const reason = ok ? null : reasons[Math.floor(r() * reasons.length)]!;
    out.push({
      time,
      teamId: team.teamId,
      appId: r() < 0.9 ? appId : null,
      customerId: r() < 0.95 ? customerIds[Math.floor(r() * customerIds.length)]! : null,
      action: "manifest",
      method: "GET",
      repository: repo,
      reference: byDigest ? D(1000 + Math.floor(r() * 5)) : tag,
      digest: ok && !byDigest && r() < 0.8 ? D(Math.floor(r() * 50)) : null,
      tag,
      status: ok ? 200 : reason === "not_found" ? 404 : reason === "upstream_error" ? 502 : reason === null ? 500 : 403,
      reason,
      isPull: r() < 0.85,
      bytes: BigInt(Math.floor(r() * 1000)),
    });
  }
  return out;
}

type Figures = { team: PullActivityDay[]; team14: PullActivityDay[]; perCustomer: PullActivityDay[][]; versions: VersionInUse[][]; bTeam: PullActivityDay[]; bVersions: VersionInUse[] };

async function figures(): Promise<Figures> {
  const now = new Date(NOW);
  return {
    team: await getPullActivity(a.actor, { days: 200, now }),
    team14: await getPullActivity(a.actor, { days: 14, now }),
    perCustomer: await Promise.all(customers.map((customerId) => getPullActivity(a.actor, { days: 200, customerId, now }))),
    versions: await Promise.all(customers.map((c) => listVersionsInUse(a.actor, c))),
    bTeam: await getPullActivity(b.actor, { days: 200, now }),
    bVersions: await listVersionsInUse(b.actor, bCustomer),
  };
}

/** The queries as they were before the rollups (raw rows only): the reference the new ones must match. */
async function rawFigures(teamId: string, customerId: string | null, days: number) {
  const start = new Date(Date.UTC(new Date(NOW).getUTCFullYear(), new Date(NOW).getUTCMonth(), new Date(NOW).getUTCDate() - (days - 1)));
  const rows = await prisma.$queryRaw<{ day: Date; pulls: bigint; denied: bigint; notFound: bigint; upstreamErrors: bigint }[]>`
    SELECT date_trunc('day', e."time") AS day,
           COUNT(*) FILTER (WHERE e."status" < 400) AS pulls,
           COUNT(*) FILTER (WHERE e."status" >= 400 AND e."reason" IN ('expired','access_off','archived','not_in_license','wrong_app','bad_credentials')) AS denied,
           COUNT(*) FILTER (WHERE e."status" >= 400 AND e."reason" = 'not_found') AS "notFound",
           COUNT(*) FILTER (WHERE e."status" >= 400 AND e."reason" = 'upstream_error') AS "upstreamErrors"
    FROM "PullEvent" e
    WHERE e."teamId" = ${teamId} AND e."isPull" AND e."time" >= ${start}
      AND (${customerId}::text IS NULL OR e."customerId" = ${customerId})
    GROUP BY 1 ORDER BY 1`;
  return rows.map((r) => ({ day: r.day.toISOString().slice(0, 10), pulls: Number(r.pulls), denied: Number(r.denied), notFound: Number(r.notFound), upstreamErrors: Number(r.upstreamErrors) }));
}

async function rawVersions(teamId: string, customerId: string): Promise<VersionInUse[]> {
  const rows = await prisma.$queryRaw<{ repository: string; tag: string | null; digest: string | null; reference: string | null; time: Date; pulls: bigint }[]>`
    SELECT DISTINCT ON (e."repository") e."repository", e."tag", e."digest", e."reference", e."time",
           COUNT(*) OVER (PARTITION BY e."repository") AS pulls
    FROM "PullEvent" e
    WHERE e."teamId" = ${teamId} AND e."customerId" = ${customerId} AND e."isPull" AND e."status" < 400
    ORDER BY e."repository", e."time" DESC, e."id" DESC`;
  return rows
    .map((r) => ({ repository: r.repository, tag: r.tag, digest: r.digest ?? (r.reference?.includes(":") ? r.reference : null), lastPulledAt: r.time.toISOString(), pulls: Number(r.pulls) }))
    .sort((x, y) => y.lastPulledAt.localeCompare(x.lastPulledAt));
}

const nonEmpty = (days: PullActivityDay[]) => days.filter((d) => d.pulls + d.denied + d.notFound + d.upstreamErrors > 0);
const rawCount = async (teamId: string, where = "") =>
  Number((await prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "PullEvent" WHERE "teamId" = $1 ${where}`, teamId))[0]!.n);

let before: Figures;

beforeAll(async () => {
  a = await makeTeam("Retention A");
  b = await makeTeam("Retention B");
  const app = await createApp(a.actor, { name: "Retention app" });
  const bApp = await createApp(b.actor, { name: "Retention B app" });
  for (const name of ["One", "Two", "Three"]) customers.push((await createCustomer(a.actor, { appId: app.id, name })).id);
  bCustomer = (await createCustomer(b.actor, { appId: bApp.id, name: "B one" })).id;
  // Old (past 90 days), middling and recent events, the newest in the current hour.
  await prisma.pullEvent.createMany({ data: events(a, app.id, customers, 900, 1, [91, 180]) });
  await prisma.pullEvent.createMany({ data: events(a, app.id, customers, 900, 2, [0.001, 89]) });
  await prisma.pullEvent.createMany({ data: events(b, bApp.id, [bCustomer], 300, 3, [0.001, 180]) });
  before = await figures();
});

afterAll(async () => {
  customers = [];
});

describe("pull event rollups", () => {
  it("before any rollup, the figures are the raw queries' figures", async () => {
    expect(nonEmpty(before.team)).toEqual(nonEmpty(await rawFigures(a.teamId, null, 200)));
    expect(nonEmpty(before.team14)).toEqual(nonEmpty(await rawFigures(a.teamId, null, 14)));
    for (const [i, c] of customers.entries()) {
      expect(nonEmpty(before.perCustomer[i]!)).toEqual(nonEmpty(await rawFigures(a.teamId, c, 200)));
      expect(before.versions[i]).toEqual(await rawVersions(a.teamId, c));
    }
    expect(nonEmpty(before.bTeam)).toEqual(nonEmpty(await rawFigures(b.teamId, null, 200)));
    // The data is not trivial: old pulls, every outcome, several images per customer.
    expect(nonEmpty(before.team).length).toBeGreaterThan(100);
    expect(before.team.reduce((n, d) => n + d.denied, 0)).toBeGreaterThan(0);
    expect(before.versions[0]!.length).toBe(3);
  });

  it("rolls up in small batches, answers the same figures, and a re-run adds nothing", async () => {
    const first = await rollUpPullEvents({ batchIds: 97, maxBatches: 5, commitLagMs: 0 });
    expect(first).toMatchObject({ batches: 5, busy: false });
    // Half-way through, the figures are already whole (rollups + raw above the mark).
    expect(await figures()).toEqual(before);
    let rest;
    do rest = await rollUpPullEvents({ batchIds: 97, maxBatches: 10, commitLagMs: 0 });
    while (rest.batches === 10);
    const n = (await prisma.$queryRaw<{ n: bigint }[]>`SELECT sum("pulls")::bigint AS n FROM "PullTeamHourly" WHERE "teamId" = ${a.teamId}`)[0]!.n;
    expect(Number(n)).toBe(await rawCount(a.teamId, `AND "isPull"`));
    expect(await figures()).toEqual(before);
    const again = await rollUpPullEvents({ batchIds: 97, commitLagMs: 0 });
    expect(again).toMatchObject({ batches: 0, events: 0 });
    expect(await figures()).toEqual(before);
  });

  it("counts pulls that arrive after a rollup at once (live), and rolls them up without double counting", async () => {
    const recent = { teamId: a.teamId, customerId: customers[1], action: "manifest" as const, method: "GET", repository: "proxy/app/reg/acme/api", isPull: true, status: 200 };
    // Two pulls at the same millisecond: the later insert (larger id) is the version in use.
    await prisma.pullEvent.create({ data: { ...recent, time: new Date(NOW - 1000), reference: "3.0", tag: "3.0", digest: D(77) } });
    await prisma.pullEvent.create({ data: { ...recent, time: new Date(NOW - 1000), reference: "3.1", tag: "3.1", digest: D(78) } });
    const live = await figures();
    expect(live.team14.at(-1)!.pulls).toBe(before.team14.at(-1)!.pulls + 2);
    expect(live.versions[1]!.find((v) => v.repository === recent.repository)).toMatchObject({ tag: "3.1", digest: D(78) });
    expect(live.versions[1]).toEqual(await rawVersions(a.teamId, customers[1]!));
    await rollUpPullEvents({ commitLagMs: 0 });
    expect(await figures()).toEqual(live);
    // Rolled up, the tie is between two hourly groups (tags differ): still the larger id.
    expect((await listVersionsInUse(a.actor, customers[1]!)).find((v) => v.repository === recent.repository)).toMatchObject({ tag: "3.1", digest: D(78) });
    before = live;
  });

  it("deletes raw events past the retention in batches, and the charts and versions in use keep every pull", async () => {
    const oldOf = async () => (await rawCount(a.teamId, `AND "time" < now() - interval '90 days'`)) + (await rawCount(b.teamId, `AND "time" < now() - interval '90 days'`));
    const old = await oldOf();
    const young = await rawCount(a.teamId, `AND "time" >= now() - interval '90 days'`);
    expect(old).toBeGreaterThan(700);
    const step = await deleteExpiredPullEvents({ retentionDays: 90, batchSize: 100, maxBatches: 3 });
    expect(step).toEqual({ batches: 3, deleted: 300, busy: false });
    expect(await oldOf()).toBe(old - 300);
    let result;
    do result = await deleteExpiredPullEvents({ retentionDays: 90, batchSize: 100, maxBatches: 5 });
    while (result.batches === 5);
    expect(await rawCount(a.teamId, `AND "time" < now() - interval '90 days'`)).toBe(0);
    expect(await rawCount(b.teamId, `AND "time" < now() - interval '90 days'`)).toBe(0);
    expect(await rawCount(a.teamId, `AND "time" >= now() - interval '90 days'`)).toBe(young);
    expect(await figures()).toEqual(before);
  });

  it("never deletes an old event that is not rolled up yet (one that arrived late)", async () => {
    await prisma.pullEvent.create({
      data: { teamId: a.teamId, customerId: customers[2], action: "manifest", method: "GET", repository: "proxy/app/reg/acme/late", isPull: true, status: 200, tag: "0.1", reference: "0.1", time: new Date(NOW - 150 * DAY) },
    });
    await deleteExpiredPullEvents({ retentionDays: 90 });
    expect(await rawCount(a.teamId, `AND "repository" = 'proxy/app/reg/acme/late'`)).toBe(1);
    await rollUpPullEvents({ commitLagMs: 0 });
    await deleteExpiredPullEvents({ retentionDays: 90 });
    expect(await rawCount(a.teamId, `AND "repository" = 'proxy/app/reg/acme/late'`)).toBe(0);
    const versions = await listVersionsInUse(a.actor, customers[2]!);
    expect(versions.find((v) => v.repository === "proxy/app/reg/acme/late")).toMatchObject({ tag: "0.1", pulls: 1 });
    const team = await getPullActivity(a.actor, { days: 200, now: new Date(NOW) });
    expect(team.reduce((n, d) => n + d.pulls, 0)).toBe(before.team.reduce((n, d) => n + d.pulls, 0) + 1);
  });

  it("keeps each team's figures to itself", async () => {
    expect(await listVersionsInUse(a.actor, bCustomer)).toEqual([]);
    expect(await listVersionsInUse(b.actor, customers[0]!)).toEqual([]);
    expect(nonEmpty(await getPullActivity(b.actor, { days: 200, customerId: customers[0], now: new Date(NOW) }))).toEqual([]);
    expect((await figures()).bTeam).toEqual(before.bTeam);
  });

  it("a team whose raw events are all gone still has pull history", async () => {
    const c = await makeTeam("Retention C");
    await prisma.pullEvent.create({ data: { teamId: c.teamId, action: "manifest", method: "GET", repository: "r", isPull: true, status: 200, time: new Date(NOW - 100 * DAY) } });
    expect(await hasPullEvents(c.actor)).toBe(true);
    await rollUpPullEvents({ commitLagMs: 0 });
    await deleteExpiredPullEvents({ retentionDays: 90 });
    expect(await rawCount(c.teamId)).toBe(0);
    expect(await hasPullEvents(c.actor)).toBe(true);
    expect(await hasPullEvents((await makeTeam("Retention D")).actor)).toBe(false);
  });

  it("only one process works at a time: while another holds the lock, the job skips", async () => {
    await prisma.pullEvent.create({ data: { teamId: a.teamId, action: "manifest", method: "GET", repository: "r", isPull: true, status: 200, time: new Date(NOW - 120 * DAY) } });
    const other = new pg.Client({ connectionString: inject("databaseUrl") });
    await other.connect();
    try {
      await other.query("BEGIN");
      await other.query("SELECT pg_advisory_xact_lock($1::bigint)", [PULL_MAINTENANCE_LOCK_KEY]);
      expect(await rollUpPullEvents({ commitLagMs: 0 })).toMatchObject({ busy: true, events: 0 });
      expect(await deleteExpiredPullEvents({ retentionDays: 90 })).toMatchObject({ busy: true, deleted: 0 });
      await other.query("COMMIT");
    } finally {
      await other.end();
    }
    expect(await rollUpPullEvents({ commitLagMs: 0 })).toMatchObject({ busy: false, events: 1 });
  });

  it("does not pass ids that may still be uncommitted: new ids wait for the commit lag", async () => {
    const t0 = new Date();
    await rollUpPullEvents({ commitLagMs: 0, now: t0 });
    await prisma.pullEvent.create({ data: { teamId: a.teamId, action: "manifest", method: "GET", repository: "lag", isPull: true, status: 200 } });
    const mark = async () => (await prisma.$queryRaw<{ id: bigint }[]>`SELECT "rolledUpToId" AS id FROM "PullEventRollupState"`)[0]!.id;
    const start = await mark();
    // First sight of the new id: it becomes the horizon, not yet rolled up.
    expect(await rollUpPullEvents({ commitLagMs: 60_000, now: new Date(t0.getTime() + 61_000) })).toMatchObject({ events: 0 });
    expect(await rollUpPullEvents({ commitLagMs: 60_000, now: new Date(t0.getTime() + 62_000) })).toMatchObject({ events: 0 });
    expect(await mark()).toBe(start);
    // A lag later, it is.
    expect(await rollUpPullEvents({ commitLagMs: 60_000, now: new Date(t0.getTime() + 122_000) })).toMatchObject({ events: 1 });
  });
});

describe("the periodic job", () => {
  it("a tick rolls up and then deletes what is past the retention", async () => {
    const t = await makeTeam("Retention tick");
    await prisma.pullEvent.create({ data: { teamId: t.teamId, action: "manifest", method: "GET", repository: "tick", isPull: true, status: 200, time: new Date(NOW - 10 * DAY) } });
    await rollUpPullEvents({ commitLagMs: 0 });
    const lines: string[] = [];
    const job = startPullEventMaintenance({ prisma: getPrisma(), retentionDays: 5, intervalMs: 3_600_000, log: { info: (_o, msg) => lines.push(msg), warn: (_o, msg) => lines.push(`warn ${msg}`) } });
    try {
      await job.tick();
    } finally {
      job.stop();
    }
    expect(await rawCount(t.teamId)).toBe(0);
    expect(lines).toContain("expired pull events deleted");
    expect(nonEmpty(await getPullActivity(t.actor, { days: 14, now: new Date(NOW) })).map((d) => d.pulls)).toEqual([1]);
  });
});

describe("on the embedded database (PGlite)", () => {
  it("migrates, rolls up, deletes past the retention and answers the same figures", async () => {
    const db = await PGlite.create();
    const server = await serveEmbedded(db, { password: "pw" });
    const url = `postgresql://postgres:pw@127.0.0.1:${server.port}/postgres`;
    const client = createPrisma(url, 2);
    try {
      await migrate({ databaseUrl: url, log: () => {} });
      await query(url, `INSERT INTO "Team" ("id","name","updatedAt") VALUES ('t1','T',now())`);
      await query(
        url,
        `INSERT INTO "PullEvent" ("time","teamId","action","method","repository","tag","status","isPull")
         SELECT now() - i * interval '1 day', 't1', 'manifest', 'GET', 'img', 'v' || i, 200, true FROM generate_series(0, 9) i`,
      );
      const counts = async () => (await query<{ n: string }>(url, `SELECT count(*) AS n FROM "PullEvent"`))[0]!.n;
      expect(await rollUpPullEvents({ prisma: client, commitLagMs: 0, batchIds: 3 })).toMatchObject({ events: 10, busy: false });
      expect(await deleteExpiredPullEvents({ prisma: client, retentionDays: 5, batchSize: 2 })).toMatchObject({ deleted: 5, busy: false });
      expect(await counts()).toBe("5");
      const [team] = await query<{ n: string }>(url, `SELECT sum("pulls") AS n FROM "PullTeamHourly" WHERE "teamId" = 't1'`);
      expect(team!.n).toBe("10");
    } finally {
      await client.$disconnect();
      await server.close();
      await db.close();
    }
  });
});

describe("the migration", () => {
  it("rolls up the events that exist when it runs", async () => {
    const db = await createScratchDatabase(inject("adminDatabaseUrl"));
    const earlier = fs.mkdtempSync(path.join(os.tmpdir(), "pullgate-migrations-"));
    try {
      for (const name of fs.readdirSync(DEFAULT_MIGRATIONS_DIR)) {
        if (name >= "20261130150000") continue;
        fs.cpSync(path.join(DEFAULT_MIGRATIONS_DIR, name), path.join(earlier, name), { recursive: true });
      }
      await migrate({ databaseUrl: db.url, migrationsDir: earlier, log: () => {} });
      await query(db.url, `INSERT INTO "Team" ("id","name","updatedAt") VALUES ('t1','T',now())`);
      await query(
        db.url,
        `INSERT INTO "PullEvent" ("time","teamId","action","method","repository","reference","tag","digest","status","reason","isPull")
         SELECT now() - i * interval '37 minutes', 't1', 'manifest', 'GET', 'img' || (i % 3), 'v' || (i % 4), 'v' || (i % 4), 'sha256:' || i,
                CASE WHEN i % 5 = 0 THEN 403 ELSE 200 END, CASE WHEN i % 5 = 0 THEN 'expired'::"PullEventReason" END, i % 7 <> 0
         FROM generate_series(1, 500) i`,
      );
      await migrate({ databaseUrl: db.url, log: () => {} });
      const [state] = await query<{ rolledUpToId: string; max: string }>(db.url, `SELECT "rolledUpToId", (SELECT max(id) FROM "PullEvent") AS max FROM "PullEventRollupState"`);
      expect(state!.rolledUpToId).toBe(state!.max);
      const [team] = await query<{ n: string }>(db.url, `SELECT sum("pulls") AS n FROM "PullTeamHourly" WHERE "outcome" = 'denied'`);
      const [raw] = await query<{ n: string }>(db.url, `SELECT count(*) AS n FROM "PullEvent" WHERE "isPull" AND "status" = 403`);
      expect(team!.n).toBe(raw!.n);
      const versions = await query<{ repository: string; digest: string; pulls: string }>(
        db.url,
        `SELECT DISTINCT ON ("repository") "repository", "lastDigest" AS digest, sum("pulls") OVER (PARTITION BY "repository") AS pulls
         FROM "PullEventHourly" WHERE "outcome" = 'success' ORDER BY "repository", "lastTime" DESC, "lastEventId" DESC`,
      );
      const rawLatest = await query<{ repository: string; digest: string; pulls: string }>(
        db.url,
        `SELECT DISTINCT ON ("repository") "repository", "digest", count(*) OVER (PARTITION BY "repository") AS pulls
         FROM "PullEvent" WHERE "isPull" AND "status" < 400 ORDER BY "repository", "time" DESC, "id" DESC`,
      );
      expect(versions).toEqual(rawLatest);
    } finally {
      fs.rmSync(earlier, { recursive: true, force: true });
      await db.drop();
    }
  });
});

describe("PULLGATE_PULL_EVENT_RETENTION_DAYS", () => {
  it("defaults to 90 days and takes a whole number of days", () => {
    expect(parsePullEventRetentionDays(undefined)).toBe(90);
    expect(parsePullEventRetentionDays("")).toBe(90);
    expect(parsePullEventRetentionDays(" 30 ")).toBe(30);
    expect(parsePullEventRetentionDays("1")).toBe(1);
    expect(parsePullEventRetentionDays("36500")).toBe(36500);
  });

  it("an invalid value stops the proxy at start with that message", () => {
    const root = path.resolve(import.meta.dirname, "../..");
    const run = spawnSync(process.execPath, proxyNodeArgs(path.join(root, "proxy/main.ts")), {
      cwd: root,
      env: { ...process.env, DATABASE_URL: inject("databaseUrl"), PROXY_PORT: "0", PULLGATE_DOMAIN_CHECK_INTERVAL: "0", PULLGATE_PULL_EVENT_RETENTION_DAYS: "ninety", PULLGATE_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "pullgate-retention-")) },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stdout + run.stderr).toContain('PULLGATE_PULL_EVENT_RETENTION_DAYS must be a whole number of days from 1 to 36500, not \\"ninety\\"');
  });

  it("refuses anything else with a message naming the variable", () => {
    for (const bad of ["0", "-5", "1.5", "abc", "90d", "36501", "1e3", "999999999999"]) {
      expect(() => parsePullEventRetentionDays(bad), bad).toThrow(/PULLGATE_PULL_EVENT_RETENTION_DAYS must be a whole number of days from 1 to 36500/);
    }
  });
});
