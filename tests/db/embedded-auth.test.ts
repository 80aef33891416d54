import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findRunningEmbedded, spawnEmbeddedServer } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrate";

// The embedded database as an attacker on the same machine meets it: the real
// `pullgate db-server` process, reached with the real psql and pg clients.

const run = promisify(execFile);
let dataDir: string;
let server: Awaited<ReturnType<typeof spawnEmbeddedServer>>;
let password: string;

type Psql = { code: number; stdout: string; stderr: string };

/** psql with a connection string; never prompts, never reads ~/.pgpass or the environment's PG* settings. */
async function psql(url: string, sql: string, env: Record<string, string> = {}): Promise<Psql> {
  const childEnv = { ...process.env };
  for (const key of Object.keys(childEnv)) if (key.startsWith("PG")) delete childEnv[key];
  Object.assign(childEnv, { PGPASSFILE: "/dev/null", PGCONNECT_TIMEOUT: "20", ...env });
  try {
    const { stdout, stderr } = await run("psql", ["--no-psqlrc", "-w", "-At", "-d", url, "-c", sql], { env: childEnv, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

const mode = (file: string) => fs.statSync(file).mode & 0o777;

/** Every directory and file under `dir` with a mode other than 0700 / 0600. */
function looseEntries(dir: string): string[] {
  const loose: string[] = [];
  const walk = (d: string) => {
    if (mode(d) !== 0o700) loose.push(`${d} ${mode(d).toString(8)}`);
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && mode(full) !== 0o600) loose.push(`${full} ${mode(full).toString(8)}`);
    }
  };
  walk(dir);
  return loose;
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pullgate-embedded-auth-"));
  fs.chmodSync(dataDir, 0o755); // as a data directory made by hand (or by an older Pullgate) would be
  server = await spawnEmbeddedServer(dataDir);
  await migrate({ databaseUrl: server.info.url, log: () => {} });
  password = new URL(server.info.url).password;
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("embedded database login", () => {
  it("refuses psql without the password, with a wrong one, or as another user, and lets the right one in", async () => {
    const port = server.info.port;
    // The attack from issue 12, verbatim.
    const attack = await psql(`postgresql://nobody:x@127.0.0.1:${port}/any`, 'select "licenseId" from "License"');
    expect(attack.code).not.toBe(0);
    expect(attack.stderr).toContain('password authentication failed for user "nobody"');
    expect(attack.stdout).toBe("");

    const wrong = await psql(`postgresql://postgres:wrong-password@127.0.0.1:${port}/postgres`, "select 1");
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('password authentication failed for user "postgres"');

    const none = await psql(`postgresql://postgres@127.0.0.1:${port}/postgres`, "select 1");
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/no password supplied|password authentication failed/);

    // The right password under another user name is still refused, like a wrong password.
    const otherUser = await psql(`postgresql://nobody:${password}@127.0.0.1:${port}/postgres`, "select 1");
    expect(otherUser.code).not.toBe(0);
    expect(otherUser.stderr).toContain('password authentication failed for user "nobody"');

    const otherDb = await psql(`postgresql://postgres:${password}@127.0.0.1:${port}/any`, "select 1");
    expect(otherDb.code).not.toBe(0);
    expect(otherDb.stderr).toContain('database "any" does not exist');

    const right = await psql(server.info.url, 'select count(*) from "License"');
    expect(right.stderr).toBe("");
    expect(right).toMatchObject({ code: 0, stdout: "0\n" });
    // Also with the password from the environment, as a person would type it.
    expect((await psql(`postgresql://postgres@127.0.0.1:${port}/postgres`, "select 2", { PGPASSWORD: password })).stdout).toBe("2\n");
  });

  it("refuses the pg client (what Prisma uses) with a wrong password and serves it with the right one", async () => {
    const wrong = new pg.Client({ connectionString: server.info.url.replace(`:${password}@`, ":not-it@") });
    wrong.on("error", () => {});
    await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);
    const right = new pg.Client({ connectionString: server.info.url });
    await right.connect();
    expect((await right.query("select current_user as u")).rows).toEqual([{ u: "postgres" }]);
    await right.end();
  });

  it("finds the server and its password with no setup, and keeps the password out of embedded.json", async () => {
    expect((await findRunningEmbedded(dataDir))?.url).toBe(server.info.url);
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const info = fs.readFileSync(path.join(dataDir, "embedded.json"), "utf8");
    expect(info).not.toContain(password);
    expect(fs.readFileSync(path.join(dataDir, "db-password"), "utf8").trim()).toBe(password);
  });
});

describe("embedded database files", () => {
  it("are this user's only: the data directory 0700, its files 0600, pgdata 0700/0600 (tightened at start)", async () => {
    expect(mode(dataDir)).toBe(0o700);
    for (const file of ["db-password", "embedded.json", "embedded.lock"]) expect(mode(path.join(dataDir, file)), file).toBe(0o600);
    expect(looseEntries(path.join(dataDir, "pgdata"))).toEqual([]);
  });

  it("tightens a data directory left readable (by an older version) when it opens it again, and keeps the password", async () => {
    await server.stop();
    expect(looseEntries(dataDir)).toEqual([]); // closing leaves it tight too
    const pgdata = path.join(dataDir, "pgdata");
    // Loosen everything, as it was before: world-readable files, traversable directories.
    const loosen = (d: string) => {
      fs.chmodSync(d, 0o755);
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const full = path.join(d, e.name);
        if (e.isDirectory()) loosen(full);
        else fs.chmodSync(full, 0o644);
      }
    };
    loosen(dataDir);
    expect(looseEntries(pgdata).length).toBeGreaterThan(100);

    server = await spawnEmbeddedServer(dataDir);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(path.join(dataDir, "db-password"))).toBe(0o600);
    expect(looseEntries(pgdata)).toEqual([]);
    expect(new URL(server.info.url).password).toBe(password);
    expect((await psql(server.info.url, "select 3")).stdout).toBe("3\n");
  }, 120_000);
});
