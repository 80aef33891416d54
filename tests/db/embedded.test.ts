import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { findRunningEmbedded, resolveDatabase, spawnEmbeddedServer, startEmbeddedServer } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrate";
import { createPrisma } from "@/lib/db/client";

// The embedded database runs in its own process (`pullgate db-server`), as in
// production. PGlite is a single session, so the server serializes
// transactions across connections; these tests prove clients stay isolated
// and that crashes of clients or of the server itself lose no committed data.

let dataDir: string;
let server: Awaited<ReturnType<typeof spawnEmbeddedServer>>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function connect(url = server.info.url): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  c.on("error", () => {});
  await c.connect();
  return c;
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pullgate-embedded-"));
  server = await spawnEmbeddedServer(dataDir);
  await migrate({ databaseUrl: server.info.url, log: () => {} });
  const c = await connect();
  await c.query(`CREATE TABLE probe (id int PRIMARY KEY, who text NOT NULL)`);
  await c.query(`CREATE TABLE ledger (id int PRIMARY KEY, amount int NOT NULL)`);
  await c.query(`CREATE TABLE ledger_copy (id int PRIMARY KEY, amount int NOT NULL)`);
  await c.end();
}, 120_000);

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("embedded database: isolation between connections", () => {
  it("publishes itself in embedded.json and refuses a second opener of the data directory", async () => {
    const info = JSON.parse(fs.readFileSync(path.join(dataDir, "embedded.json"), "utf8"));
    expect(info).toMatchObject({ pid: server.child.pid, port: server.info.port });
    expect(info).not.toHaveProperty("url"); // the password stays in db-password (tests/db/embedded-auth.test.ts)
    expect((await findRunningEmbedded(dataDir))?.pid).toBe(server.child.pid);
    await expect(startEmbeddedServer({ dataDir })).rejects.toThrow(/already open by process \d+/);
    const databaseUrl = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    try {
      expect(await resolveDatabase({ dataDir })).toEqual({ url: server.info.url, kind: "embedded" });
    } finally {
      process.env.DATABASE_URL = databaseUrl;
    }
  });

  it("keeps two transactions apart: neither sees the other's uncommitted writes, a rollback leaves nothing", async () => {
    const a = await connect();
    const b = await connect();
    const c = await connect();
    const seen: Record<string, unknown[]> = {};
    await Promise.all([
      (async () => {
        await a.query("BEGIN");
        await a.query("INSERT INTO probe VALUES (1, 'a')");
        await sleep(300); // b and c try to run meanwhile
        seen.a = (await a.query("SELECT who FROM probe ORDER BY id")).rows.map((r) => r.who);
        await a.query("ROLLBACK");
      })(),
      (async () => {
        await sleep(50);
        await b.query("BEGIN");
        await b.query("INSERT INTO probe VALUES (2, 'b')");
        seen.b = (await b.query("SELECT who FROM probe ORDER BY id")).rows.map((r) => r.who);
        await b.query("COMMIT");
      })(),
      (async () => {
        await sleep(100);
        seen.c = (await c.query("SELECT who FROM probe ORDER BY id")).rows.map((r) => r.who);
      })(),
    ]);
    expect(seen.a).toEqual(["a"]);
    expect(seen.b).toEqual(["b"]);
    expect(seen.c).not.toContain("a");
    expect((await c.query("SELECT who FROM probe ORDER BY id")).rows).toEqual([{ who: "b" }]);
    await Promise.all([a.end(), b.end(), c.end()]);
  });

  it("never mixes up concurrent extended-protocol queries of different connections", async () => {
    const clients = await Promise.all([connect(), connect(), connect()]);
    const results = await Promise.all(
      clients.map((client, n) =>
        Promise.all(
          Array.from({ length: 60 }, async (_, i) => {
            const { rows } = await client.query("SELECT $1::int AS v, $2::text AS who", [i, `c${n}`]);
            return rows[0].v === i && rows[0].who === `c${n}`;
          }),
        ),
      ),
    );
    expect(results.flat().every(Boolean)).toBe(true);
    await Promise.all(clients.map((c) => c.end()));
  });

  it("rolls back the open transaction of a client that disconnects, and lets the others continue", async () => {
    const a = await connect();
    await a.query("BEGIN");
    await a.query("INSERT INTO probe VALUES (3, 'gone')");
    const b = await connect();
    const waiting = b.query("SELECT count(*)::int AS n FROM probe WHERE id = 3");
    await sleep(100);
    (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    expect((await waiting).rows).toEqual([{ n: 0 }]);
    await b.end();
  });

  it("runs Prisma interactive transactions from a pool concurrently, with a failing one rolled back", async () => {
    const prisma = createPrisma(server.info.url, 5);
    const stamp = Date.now().toString(36);
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        prisma.$transaction(async (tx) => {
          const team = await tx.team.create({ data: { name: `iso-${stamp}-${i}` } });
          await tx.app.create({ data: { teamId: team.id, name: "a", slug: `iso-${stamp}-${i}` } });
          if (i === 3) throw new Error("boom");
          return team.id;
        }),
      ),
    );
    const rejected = results.filter((r) => r.status === "rejected");
    expect(rejected.map((r) => String(r.reason))).toEqual(["Error: boom"]);
    expect(await prisma.team.count({ where: { name: { startsWith: `iso-${stamp}-` } } })).toBe(5);
    expect(await prisma.app.count({ where: { slug: `iso-${stamp}-3` } })).toBe(0);
    await prisma.$disconnect();
  });

  it("delivers NOTIFY to the connections that LISTEN on the channel", async () => {
    const listener = await connect();
    const bystander = await connect();
    const got: string[] = [];
    const stray: string[] = [];
    listener.on("notification", (n) => got.push(`${n.channel}:${n.payload}`));
    bystander.on("notification", (n) => stray.push(n.channel));
    await listener.query("LISTEN pullgate_changes");
    await bystander.query("SELECT pg_notify('pullgate_changes', 'License')");
    for (let i = 0; i < 50 && got.length === 0; i++) await sleep(20);
    expect(got).toEqual(["pullgate_changes:License"]);
    expect(stray).toEqual([]);
    await Promise.all([listener.end(), bystander.end()]);
  });
});

/** A separate process committing ledger rows and printing each id once COMMIT returned. */
function startWriter(url: string, from: number) {
  const script = `
    import pg from "pg";
    const c = new pg.Client({ connectionString: process.argv[1] });
    await c.connect();
    for (let i = Number(process.argv[2]); ; i++) {
      await c.query("BEGIN");
      await c.query("INSERT INTO ledger VALUES ($1, $2)", [i, i * 10]);
      await c.query("INSERT INTO ledger_copy VALUES ($1, $2)", [i, i * 10]);
      await c.query("COMMIT");
      process.stdout.write(i + "\\n");
    }`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script, url, String(from)], {
    cwd: path.resolve(import.meta.dirname, "../.."),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const acked: number[] = [];
  let buffer = "";
  child.stdout.on("data", (d) => {
    buffer += d;
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    acked.push(...lines.map(Number));
  });
  return { child, acked, exited: new Promise((r) => child.once("exit", r)) };
}

async function untilAcked(acked: number[], n: number) {
  for (let i = 0; i < 600 && acked.length < n; i++) await sleep(25);
  expect(acked.length).toBeGreaterThanOrEqual(n);
}

async function ledgerState(url: string) {
  const c = await connect(url);
  const ids = (await c.query("SELECT id FROM ledger ORDER BY id")).rows.map((r) => r.id as number);
  const copy = (await c.query("SELECT count(*)::int AS n FROM ledger_copy")).rows[0].n as number;
  await c.end();
  return { ids, copy };
}

describe("embedded database: crashes", () => {
  it("a client killed with SIGKILL mid-writes loses only its open transaction; data intact after restart", async () => {
    const writer = startWriter(server.info.url, 1);
    await untilAcked(writer.acked, 30);
    writer.child.kill("SIGKILL");
    await writer.exited;
    const before = await ledgerState(server.info.url);
    // Every acknowledged commit is there; nothing half-written (both tables agree).
    expect(before.ids).toEqual(expect.arrayContaining(writer.acked));
    expect(before.copy).toBe(before.ids.length);

    // Clean stop and start again: the same data comes back.
    await server.stop();
    expect(fs.existsSync(path.join(dataDir, "embedded.json"))).toBe(false);
    server = await spawnEmbeddedServer(dataDir);
    expect(await ledgerState(server.info.url)).toEqual(before);
  });

  it("the database server itself killed with SIGKILL recovers every acknowledged commit on restart", async () => {
    const start = (await ledgerState(server.info.url)).ids.length + 1000;
    const writer = startWriter(server.info.url, start);
    await untilAcked(writer.acked, 30);
    server.child.kill("SIGKILL");
    await writer.exited; // its connection breaks
    // The dead server left embedded.json and its lock behind: both are recognised as stale.
    expect(fs.existsSync(path.join(dataDir, "embedded.json"))).toBe(true);
    expect(await findRunningEmbedded(dataDir)).toBeNull();

    server = await spawnEmbeddedServer(dataDir);
    const after = await ledgerState(server.info.url);
    expect(after.ids).toEqual(expect.arrayContaining(writer.acked));
    expect(after.copy).toBe(after.ids.length);
    // And it still takes writes.
    const c = await connect();
    await c.query("INSERT INTO ledger VALUES (-1, 0)");
    await c.end();
  });
});
