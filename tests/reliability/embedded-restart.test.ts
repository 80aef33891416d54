import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as appsRoute from "@/app/api/v1/apps/route";
import { disconnectPrisma } from "@/lib/db/client";
import { spawnEmbeddedServer } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrate";
import { call, makeTeam, type TeamFixture } from "../api/fixtures";
import { basicAuth, createCacheFixture, metricValue, type CacheFixture } from "../helpers/cache-fixture";
import { writeOciImage, type WrittenImage } from "../helpers/oci-image";
import { startProxyProcess, type ProxyProcess } from "../helpers/proxy-process";
import { startRegistry, type TestRegistry } from "../helpers/registry";

// The embedded database server (`pullgate db-server`) killed with SIGKILL
// under a running proxy and API, then started again: on another port, as
// happens when its old port was taken meanwhile. Clients set up the way
// `pullgate start` sets up its children (PULLGATE_EMBEDDED_DATABASE=1) find
// the new port in embedded.json; nothing is restarted but the database.

const UPSTREAM_PASSWORD = `upstream-${randomBytes(12).toString("hex")}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dataDir: string;
let server: Awaited<ReturnType<typeof spawnEmbeddedServer>>;
let registry: TestRegistry;
let proxy: ProxyProcess;
let fixture: CacheFixture;
let team: TeamFixture;
let image: WrittenImage;
const saved = { DATABASE_URL: process.env.DATABASE_URL, PULLGATE_DATA_DIR: process.env.PULLGATE_DATA_DIR };

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(100);
  }
}

beforeAll(async () => {
  dataDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-embedded-restart-"));
  server = await spawnEmbeddedServer(dataDir);
  await migrate({ databaseUrl: server.info.url, log: () => {} });
  await disconnectPrisma();
  Object.assign(process.env, { DATABASE_URL: server.info.url, PULLGATE_DATA_DIR: dataDir, PULLGATE_EMBEDDED_DATABASE: "1" });
  registry = await startRegistry({ auth: "htpasswd", users: { vendor: UPSTREAM_PASSWORD } });
  image = await writeOciImage(path.join(dataDir, "layout"), { tag: "1.0" });
  await registry.push(path.join(dataDir, "layout"), "1.0", "acme/api:1.0");
  fixture = await createCacheFixture({ registries: { upstream: registry.host }, upstreamPassword: UPSTREAM_PASSWORD });
  team = await makeTeam("Embedded restart");
  proxy = await startProxyProcess({
    DATABASE_URL: server.info.url,
    PULLGATE_DATA_DIR: dataDir,
    PULLGATE_EMBEDDED_DATABASE: "1",
    PULLGATE_SECRET_KEY: process.env.PULLGATE_SECRET_KEY!,
    PULLGATE_DOMAIN_CHECK_INTERVAL: "0",
    PULLGATE_UPSTREAM_ALLOW_CIDRS: "127.0.0.0/8",
  });
}, 180_000);

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  await disconnectPrisma();
  await server?.stop();
  delete process.env.PULLGATE_EMBEDDED_DATABASE;
  Object.assign(process.env, saved);
  if (dataDir) await fs.promises.rm(dataDir, { recursive: true, force: true });
});

function manifest(): Promise<{ status: number; body: string }> {
  return fetch(`${proxy.url}/v2/proxy/${fixture.appSlug}/upstream/acme/api/manifests/1.0`, {
    headers: { authorization: basicAuth(fixture.licenseId), accept: "application/vnd.oci.image.manifest.v1+json" },
  }).then(async (res) => ({ status: res.status, body: await res.text() }));
}

describe("embedded database killed and started again on another port", () => {
  it("pulls and the API answer 503 meanwhile, then recover without restarting anything else", async () => {
    expect((await manifest()).status).toBe(200);
    expect((await call(appsRoute.GET, "GET", { token: team.token })).status).toBe(200);
    const oldPort = server.info.port;

    const exited = new Promise((resolve) => server.child.once("exit", resolve));
    server.child.kill("SIGKILL");
    await exited;
    const down = await until(manifest, (r) => r.status === 503);
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body).errors[0].code).toBe("UNAVAILABLE");
    expect((await call(appsRoute.GET, "GET", { token: team.token })).json).toMatchObject({ error: { code: "unavailable" } });

    // Its old port is taken meanwhile, so the server comes back elsewhere.
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(oldPort, "127.0.0.1", () => resolve()));
    try {
      server = await spawnEmbeddedServer(dataDir);
    } finally {
      squatter.close();
    }
    expect(server.info.port).not.toBe(oldPort);

    const back = await until(manifest, (r) => r.status === 200);
    expect(back.status).toBe(200);
    expect(back.body).toBe(image.manifestJson);
    expect((await call(appsRoute.GET, "GET", { token: team.token })).status).toBe(200);
    expect(await until(async () => metricValue(await proxy.metrics(), "pullgate_proxy_change_listener_up"), (up) => up === 1)).toBe(1);
  }, 180_000);
});
