import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { isAlive, pullgateStart, until, type PullgateStart } from "../tests/helpers/pullgate-start";
import { freePort } from "../tests/helpers/registry";
import { newVendor } from "./helpers";

// `pullgate start` with everything (portal, proxy, embedded database), as
// users run it, on its own ports and data directory (next to the instance the
// rest of the suite uses). A proxy killed with SIGKILL is back within seconds
// while the portal never stops answering; the database killed is restarted and
// the REST API recovers; SIGTERM stops all of it cleanly.

const run = promisify(execFile);
let dataDir: string;
let portalPort: number;
let proxyPort: number;
let instance: PullgateStart;

test.beforeAll(async () => {
  test.setTimeout(600_000);
  dataDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-e2e-supervision-"));
  portalPort = await freePort();
  proxyPort = await freePort();
  instance = pullgateStart([], {
    DATABASE_URL: undefined,
    PULLGATE_DATA_DIR: dataDir,
    PORT: String(portalPort),
    PROXY_PORT: String(proxyPort),
    PROXY_PUBLIC_HOST: `localhost:${proxyPort}`,
    PULLGATE_DOMAIN_CHECK_INTERVAL: "0",
    PULLGATE_UPSTREAM_ALLOW_CIDRS: "127.0.0.0/8",
  });
  await instance.ready();
});

test.afterAll(async () => {
  await instance?.stop(10_000);
  if (dataDir) await fs.promises.rm(dataDir, { recursive: true, force: true });
});

const portalStatus = () =>
  fetch(`http://127.0.0.1:${portalPort}/signin`, { redirect: "manual" }).then(
    (r) => r.status,
    () => 0,
  );
const proxyHealth = () =>
  fetch(`http://127.0.0.1:${proxyPort}/healthz`).then(
    (r) => r.status,
    () => 0,
  );

test("a killed proxy or database is restarted while the portal keeps serving; SIGTERM stops everything", async () => {
  test.setTimeout(300_000);
  const cli = (args: string[]) => run(process.execPath, ["bin/pullgate.mjs", ...args], { env: { ...process.env, PULLGATE_DATA_DIR: dataDir, DATABASE_URL: "" } });
  const vendor = newVendor("supervision");
  await cli(["vendor", "create", "--email", vendor.email, "--password", vendor.password, "--team", vendor.teamName]);
  const token = /pgt_\w+/.exec((await cli(["token", "create", "--email", vendor.email, "--name", "supervision"])).stdout)?.[0];
  expect(token).toBeTruthy();
  const apiStatus = () =>
    fetch(`http://127.0.0.1:${portalPort}/api/v1/apps`, { headers: { authorization: `Bearer ${token}` } }).then(
      (r) => r.status,
      () => 0,
    );
  expect(await portalStatus()).toBe(200);
  expect(await apiStatus()).toBe(200);

  // 1. The proxy dies; the portal answers every request meanwhile.
  const before = instance.note();
  const portalPid = before.children!.portal!;
  const portalAnswers: number[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      portalAnswers.push(await portalStatus());
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  process.kill(before.children!.proxy!, "SIGKILL");
  const proxyBack = await until(
    async () => ({ pid: instance.note().children?.proxy, health: await proxyHealth() }),
    (s) => !!s.pid && s.pid !== before.children!.proxy && s.health === 200,
  );
  watching = false;
  await watcher;
  expect(proxyBack.health).toBe(200);
  expect(portalAnswers.length).toBeGreaterThan(0);
  expect(portalAnswers.every((s) => s === 200)).toBe(true);
  expect(instance.note().children!.portal).toBe(portalPid);
  expect(instance.note().restarts).toMatchObject({ proxy: 1, portal: 0, database: 0 });
  expect(instance.output()).toMatch(/pullgate: proxy exited unexpectedly \(signal SIGKILL\)/);

  // 2. The embedded database dies: restarted, and the REST API recovers without restarting the portal.
  process.kill(instance.note().children!.database!, "SIGKILL");
  await until(() => instance.note().restarts?.database ?? 0, (n) => n === 1);
  // Meanwhile the API says "unavailable" (503), never a 500; then it answers again.
  const apiAnswers: number[] = [];
  expect(await until(async () => (apiAnswers.push(await apiStatus()), apiAnswers.at(-1)!), (s) => s === 200)).toBe(200);
  expect(apiAnswers.every((s) => s === 200 || s === 503)).toBe(true);
  expect(instance.note().restarts).toMatchObject({ proxy: 1, portal: 0, database: 1 });
  expect(instance.note().children!.portal).toBe(portalPid);

  // 3. SIGTERM: everything stops, cleanly.
  const { children } = instance.note();
  expect(await instance.stop()).toBe(0);
  expect(instance.output()).toContain("pullgate: stopped.");
  for (const pid of Object.values(children!)) expect(isAlive(pid)).toBe(false);
});
