import { afterAll, beforeAll, expect, it } from "vitest";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { serveEmbedded, type EmbeddedWireServer } from "@/lib/db/embedded-server";

// The wire server in-process on an in-memory PGlite, for behaviour that needs
// a non-default setting (the crash and isolation tests use the real process).
let db: PGlite;
let server: EmbeddedWireServer;
const PASSWORD = "in-process-test-password";

beforeAll(async () => {
  db = await PGlite.create();
  server = await serveEmbedded(db, { password: PASSWORD, idleInTransactionTimeoutMs: 300 });
  await db.exec("CREATE TABLE t (id int PRIMARY KEY)");
});
afterAll(async () => {
  await server.close();
  await db.close();
});

it("ends a transaction left idle too long, so it cannot block everyone else", async () => {
  const url = `postgresql://postgres:${PASSWORD}@127.0.0.1:${server.port}/postgres`;
  const idle = new pg.Client({ connectionString: url });
  const errors: Error[] = [];
  idle.on("error", (e) => errors.push(e));
  await idle.connect();
  await idle.query("BEGIN");
  await idle.query("INSERT INTO t VALUES (1)");

  const other = new pg.Client({ connectionString: url });
  await other.connect();
  const started = Date.now();
  const { rows } = await other.query("SELECT count(*)::int AS n FROM t");
  expect(rows).toEqual([{ n: 0 }]); // the abandoned insert was rolled back
  expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  await expect(idle.query("SELECT 1")).rejects.toThrow();
  await other.end();
});
