import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { startPostgresCluster, type PostgresCluster } from "../tests/helpers/postgres-cluster";
import { pullgateStart, until, type PullgateStart } from "../tests/helpers/pullgate-start";
import { freePort } from "../tests/helpers/registry";
import { newVendor, submitSignIn } from "./helpers";

// `pullgate start` on a PostgreSQL this test owns (initdb into a temporary
// directory, its own port), stopped under the running portal: pages say the
// database cannot be reached (not a stack trace, not Next's bare error), the
// REST API answers 503 `unavailable`, and both recover once it is back.

const run = promisify(execFile);
let cluster: PostgresCluster;
let dataDir: string;
let portalPort: number;
let instance: PullgateStart;

test.beforeAll(async () => {
  test.setTimeout(600_000);
  cluster = await startPostgresCluster();
  dataDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-e2e-outage-"));
  portalPort = await freePort();
  const proxyPort = await freePort();
  instance = pullgateStart([], {
    DATABASE_URL: cluster.url,
    PULLGATE_DATA_DIR: dataDir,
    PORT: String(portalPort),
    PROXY_PORT: String(proxyPort),
    PROXY_PUBLIC_HOST: `localhost:${proxyPort}`,
    PULLGATE_DOMAIN_CHECK_INTERVAL: "0",
  });
  await instance.ready();
});

test.afterAll(async () => {
  await instance?.stop(10_000);
  await cluster?.destroy();
  if (dataDir) await fs.promises.rm(dataDir, { recursive: true, force: true });
});

test("portal pages and the API say the database is unavailable, and recover when it is back", async ({ page }) => {
  test.setTimeout(180_000);
  const base = `http://localhost:${portalPort}`;
  const vendor = newVendor("outage");
  const env = { ...process.env, DATABASE_URL: cluster.url, PULLGATE_DATA_DIR: dataDir };
  await run(process.execPath, ["bin/pullgate.mjs", "vendor", "create", "--email", vendor.email, "--password", vendor.password, "--team", vendor.teamName], { env });
  const token = /pgt_\w+/.exec((await run(process.execPath, ["bin/pullgate.mjs", "token", "create", "--email", vendor.email, "--name", "outage"], { env })).stdout)![0];
  const api = () => fetch(`${base}/api/v1/apps`, { headers: { authorization: `Bearer ${token}` } });

  await page.goto(`${base}/signin`);
  await submitSignIn(page, vendor.email, vendor.password);
  await expect(page).toHaveURL(/\/dashboard$/);

  await cluster.stop();
  await page.goto(`${base}/customers`);
  await expect(page.getByRole("heading", { name: "Pullgate cannot reach its database right now" })).toBeVisible();
  await expect(page.getByText("reconnects by itself")).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("database-unavailable.png"), fullPage: true });
  const down = await api();
  expect(down.status).toBe(503);
  expect(down.headers.get("retry-after")).toBe("5");
  expect(await down.json()).toMatchObject({ error: { code: "unavailable" } });

  await cluster.start();
  expect((await until(api, (r) => r.status === 200)).status).toBe(200);
  await page.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByRole("heading", { name: "Customers", exact: true })).toBeVisible();
});
