import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as appsRoute from "@/app/api/v1/apps/route";
import { disconnectPrisma } from "@/lib/db/client";
import { readEmbeddedInfo } from "@/lib/db/embedded-info";
import { tryLockFile } from "@/lib/utils/file-lock";
import { call, makeTeam, type TeamFixture } from "../api/fixtures";
import { basicAuth, createCacheFixture, type CacheFixture } from "../helpers/cache-fixture";
import { writeOciImage } from "../helpers/oci-image";
import { isAlive, pullgateStart, until, type PullgateStart } from "../helpers/pullgate-start";
import { freePort, startRegistry, type TestRegistry } from "../helpers/registry";

// `pullgate start` (here --proxy-only, with the embedded database: two
// supervised children, no portal build needed) keeps serving through
// crashes: a proxy killed with SIGKILL is restarted while the database never
// stops; the database killed is restarted while the proxy keeps its process;
// a second start on the same data directory is refused at once; SIGTERM stops
// everything and frees the directory. (e2e/supervision.spec.ts does the same
// with the portal.)

const UPSTREAM_PASSWORD = `upstream-${randomBytes(12).toString("hex")}`;

let dataDir: string;
let proxyPort: number;
let instance: PullgateStart;
let registry: TestRegistry;
let fixture: CacheFixture;
let team: TeamFixture;
let env: Record<string, string | undefined>;
const saved = { DATABASE_URL: process.env.DATABASE_URL, PULLGATE_DATA_DIR: process.env.PULLGATE_DATA_DIR };

beforeAll(async () => {
  dataDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-supervision-"));
  proxyPort = await freePort();
  process.env.PULLGATE_SECRET_KEY ||= randomBytes(32).toString("base64");
  env = {
    DATABASE_URL: undefined,
    PULLGATE_DATA_DIR: dataDir,
    PROXY_PORT: String(proxyPort),
    PROXY_PUBLIC_HOST: `127.0.0.1:${proxyPort}`,
    PULLGATE_SECRET_KEY: process.env.PULLGATE_SECRET_KEY,
    PULLGATE_DOMAIN_CHECK_INTERVAL: "0",
    PULLGATE_UPSTREAM_ALLOW_CIDRS: "127.0.0.0/8",
  };
  instance = pullgateStart(["--proxy-only"], env);
  await instance.ready();

  // Fixtures go into the instance's embedded database, through clients that follow it as its children do.
  await disconnectPrisma();
  Object.assign(process.env, { DATABASE_URL: readEmbeddedInfo(dataDir)!.url, PULLGATE_DATA_DIR: dataDir, PULLGATE_EMBEDDED_DATABASE: "1" });
  registry = await startRegistry({ auth: "htpasswd", users: { vendor: UPSTREAM_PASSWORD } });
  await writeOciImage(path.join(dataDir, "layout"), { tag: "1.0" });
  await registry.push(path.join(dataDir, "layout"), "1.0", "acme/api:1.0");
  fixture = await createCacheFixture({ registries: { upstream: registry.host }, upstreamPassword: UPSTREAM_PASSWORD });
  team = await makeTeam("Supervision");
}, 300_000);

afterAll(async () => {
  await instance?.stop();
  await registry?.stop();
  await disconnectPrisma();
  delete process.env.PULLGATE_EMBEDDED_DATABASE;
  Object.assign(process.env, saved);
  if (dataDir) await fs.promises.rm(dataDir, { recursive: true, force: true });
});

const manifestStatus = () =>
  fetch(`http://127.0.0.1:${proxyPort}/v2/proxy/${fixture.appSlug}/upstream/acme/api/manifests/1.0`, {
    headers: { authorization: basicAuth(fixture.licenseId), accept: "application/vnd.oci.image.manifest.v1+json" },
  }).then(
    (res) => res.status,
    () => 0,
  );

describe("pullgate start supervises its children", () => {
  it("refuses a second start on the same data directory at once, naming the running instance's pid and port", async () => {
    const second = pullgateStart(["--proxy-only"], { ...env, PROXY_PORT: String(await freePort()) });
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`Pullgate is already running on the data directory ${dataDir} (process ${instance.child.pid}, proxy port ${proxyPort}`);
    // Refused before doing anything: no bundling, no migration, nothing started.
    expect(second.output()).not.toMatch(/Bundling|Applying migration|Pullgate is running/);
    expect(await manifestStatus()).toBe(200);
  }, 60_000);

  it("restarts a proxy killed with SIGKILL within seconds, while the database never stops", async () => {
    const before = instance.note();
    const proxyPid = before.children!.proxy!;
    const databasePid = before.children!.database!;

    // The database is queried all along: not one query may fail.
    const db = new pg.Client({ connectionString: readEmbeddedInfo(dataDir)!.url });
    await db.connect();
    let databaseQueries = 0;
    let databaseFailures = 0;
    let probing = true;
    const probe = (async () => {
      while (probing) {
        await db.query("SELECT 1").then(
          () => databaseQueries++,
          () => databaseFailures++,
        );
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    process.kill(proxyPid, "SIGKILL");
    const after = await until(
      async () => ({ note: instance.note(), status: await manifestStatus() }),
      (s) => !!s.note.children?.proxy && s.note.children.proxy !== proxyPid && s.status === 200,
    );
    probing = false;
    await probe;
    await db.end();

    expect(after.status).toBe(200);
    expect(after.note.children!.proxy).not.toBe(proxyPid);
    expect(isAlive(after.note.children!.proxy)).toBe(true);
    expect(after.note.restarts).toMatchObject({ proxy: 1, database: 0 });
    expect(after.note.children!.database).toBe(databasePid);
    expect(databaseFailures).toBe(0);
    expect(databaseQueries).toBeGreaterThan(0);
    expect(instance.output()).toMatch(/pullgate: proxy exited unexpectedly \(signal SIGKILL\) after [\d.]+ s; restarting it in 1 s \(restart 1\)/);
    expect(instance.output()).toMatch(/pullgate: proxy is back \(pid \d+, restart 1\)/);
  }, 120_000);

  it("restarts the embedded database killed with SIGKILL; pulls and the API recover, the proxy keeps its process", async () => {
    const before = instance.note();
    const proxyPid = before.children!.proxy!;
    process.kill(before.children!.database!, "SIGKILL");
    const after = await until(
      async () => ({ note: instance.note(), status: await manifestStatus() }),
      (s) => !!s.note.children?.database && s.note.children.database !== before.children!.database && s.status === 200,
    );
    expect(after.status).toBe(200);
    expect(after.note.restarts).toMatchObject({ proxy: 1, database: 1 });
    expect(after.note.children!.proxy).toBe(proxyPid);
    expect((await until(() => call(appsRoute.GET, "GET", { token: team.token }), (r) => r.status === 200)).status).toBe(200);
    expect(instance.output()).toMatch(/pullgate: database is back \(pid \d+, restart 1\)/);
  }, 120_000);

  it("stops everything on SIGTERM and leaves the data directory free", async () => {
    const { children } = instance.note();
    await disconnectPrisma();
    expect(await instance.stop()).toBe(0);
    expect(instance.output()).toContain("pullgate: stopped.");
    expect(isAlive(children!.proxy)).toBe(false);
    expect(isAlive(children!.database)).toBe(false);
    const lock = tryLockFile(path.join(dataDir, "pullgate.lock"));
    expect(lock).not.toBeNull();
    lock?.release();
  }, 120_000);
});
