import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { expect, test, type Page } from "@playwright/test";
import { writeOciImage, writeOciIndex, type WrittenImage, type WrittenIndex } from "../tests/helpers/oci-image";
import { startRegistry, type TestRegistry } from "../tests/helpers/registry";
import { findRunningEmbedded } from "../lib/db/embedded";
import { newVendor, signUp } from "./helpers";

// The whole product in one go, as a vendor and a customer would use it: the
// vendor signs up in the browser, automates setup through the REST API with a
// token made by the CLI, customers pull with skopeo through the running proxy
// (a multi-arch copy of two tags, a typo, a wrong license ID, an expired
// license), and the vendor's figures are pulls, not requests: the dashboard
// shows what an SQL count of the events says.

const run = promisify(execFile);
const PROXY = `localhost:${process.env.E2E_PROXY_PORT || 5150}`;
const UPSTREAM_PASSWORD = "E2e-Pulls-Upstream-9f2a";
let registry: TestRegistry;
let layout: string;
let image: WrittenImage;
let multi: WrittenIndex;

test.beforeAll(async () => {
  layout = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-e2e-pulls-"));
  image = await writeOciImage(layout, { tag: "1.4.2" });
  multi = await writeOciIndex(layout, { tag: "multi", platforms: [{ os: "linux", architecture: "amd64" }, { os: "linux", architecture: "arm64" }] });
  registry = await startRegistry({ auth: "htpasswd", users: { vendor: UPSTREAM_PASSWORD } });
  await registry.push(layout, "1.4.2", "acme/api:1.4.2");
  await registry.push(layout, "multi", "acme/multi:1.0", { all: true });
  await registry.push(layout, "multi", "acme/multi:2.0", { all: true });
});

test.afterAll(async () => {
  await registry?.stop();
  if (layout) await fs.promises.rm(layout, { recursive: true, force: true });
});

/** The figures an independent SQL count of the team's events gives (the portal's embedded database). */
async function sqlCounts(teamName: string) {
  const db = await findRunningEmbedded(process.env.E2E_DATA_DIR!);
  if (!db) throw new Error("the e2e server's embedded database is not running");
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT count(*) FILTER (WHERE e."isPull" AND e."status" < 400)::int AS pulls,
              count(*) FILTER (WHERE e."isPull" AND e."reason" IN ('expired', 'access_off', 'archived', 'not_in_license', 'wrong_app', 'bad_credentials'))::int AS denied,
              count(*) FILTER (WHERE e."isPull" AND e."reason" = 'not_found')::int AS "notFound",
              count(*) FILTER (WHERE e."isPull" AND e."reason" = 'upstream_error')::int AS upstream,
              count(*)::int AS requests
       FROM "PullEvent" e JOIN "Team" t ON t."id" = e."teamId" WHERE t."name" = $1`,
      [teamName],
    );
    return rows[0] as { pulls: number; denied: number; notFound: number; upstream: number; requests: number };
  } finally {
    await client.end();
  }
}

async function figures(page: Page) {
  const read = async (id: string) => Number((await page.getByTestId(id).first().textContent())!.replace(/,/g, ""));
  return { pulls: await read("total-pulls"), denied: await read("total-denied"), notFound: await read("total-not-found"), upstream: await read("total-upstream-errors") };
}

async function screenshots(page: Page, name: string) {
  for (const [label, width] of [["wide", 1440], ["narrow", 390]] as const) {
    await page.setViewportSize({ width, height: 900 });
    // Charts re-measure and animate after a resize.
    await page.waitForTimeout(1000);
    await page.screenshot({ path: `.tmp/screens/${name}-${label}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

test("pulls, not requests: one pull per tag of an index, typos apart from denials, figures equal to SQL", async ({ page, request }) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  const vendor = { ...newVendor("pulls"), teamName: `Pulls team ${Date.now().toString(36)}` };
  await signUp(page, vendor);

  const { stdout } = await run(process.execPath, ["bin/pullgate.mjs", "token", "create", "--email", vendor.email, "--name", "e2e automation"], {
    env: { ...process.env, PULLGATE_DATA_DIR: process.env.E2E_DATA_DIR! },
  });
  const token = /pgt_[A-Za-z0-9_]+/.exec(stdout)?.[0];
  expect(token, stdout).toBeTruthy();
  const api = { Authorization: `Bearer ${token}` };

  const app = await request.post("/api/v1/apps", { headers: api, data: { name: "Acme Platform" } });
  expect(app.status()).toBe(201);
  const { app: created } = await app.json();
  const linked = await request.post("/api/v1/registries", {
    headers: api,
    // A plain-HTTP registry on loopback: marked insecure; start-server.sh allows loopback.
    data: { provider: "other", endpoint: registry.host, name: "upstream", username: "vendor", password: UPSTREAM_PASSWORD, allowHttp: true },
  });
  expect(linked.status(), await linked.text()).toBe(201);
  const customerRes = await request.post("/api/v1/customers", { headers: api, data: { appId: created.id, name: "Globex Corp", email: "ops@globex.test" } });
  expect(customerRes.status()).toBe(201);
  const { customer } = await customerRes.json();
  const expiredRes = await request.post("/api/v1/customers", { headers: api, data: { appId: created.id, name: "Lapsed Inc", expiresAt: "2026-01-01" } });
  const { customer: expired } = await expiredRes.json();

  const ref = (name: string) => `docker://${PROXY}/proxy/${created.slug}/upstream/${name}`;
  const copy = (license: string, name: string, all = false) =>
    run("skopeo", ["--insecure-policy", "copy", ...(all ? ["--all"] : []), "--src-tls-verify=false", "--src-creds", `ops@globex.test:${license}`, ref(name), `oci:${path.join(layout, `dest-${Math.random().toString(36).slice(2)}`)}:x`]);

  await copy(customer.license.licenseId, "acme/api:1.4.2");
  await copy(customer.license.licenseId, "acme/multi:1.0", true);
  await copy(customer.license.licenseId, "acme/multi:2.0", true);
  await expect(copy(customer.license.licenseId, "acme/api:1.4.3")).rejects.toThrow(); // a typo
  await expect(copy("Z".repeat(27), "acme/api:1.4.2")).rejects.toThrow(); // a wrong license ID
  await expect(copy(expired.license.licenseId, "acme/api:1.4.2")).rejects.toThrow(/license expired on 2026-01-01/);

  // Events are written in batches off the request path: wait for the SQL count to settle.
  await expect.poll(async () => (await sqlCounts(vendor.teamName)).pulls, { timeout: 30_000 }).toBe(3);
  await expect.poll(async () => (await sqlCounts(vendor.teamName)).denied, { timeout: 30_000 }).toBe(2);
  const sql = await sqlCounts(vendor.teamName);
  expect(sql).toMatchObject({ pulls: 3, denied: 2, notFound: 1, upstream: 0 });
  // Requests are many more than pulls (tokens, blobs, platform manifests).
  expect(sql.requests).toBeGreaterThan(12);

  // The dashboard shows exactly the SQL figures.
  await page.goto("/dashboard");
  expect(await figures(page)).toEqual({ pulls: sql.pulls, denied: sql.denied, notFound: sql.notFound, upstream: sql.upstream });
  await expect(page.getByTestId("activity-legend")).toContainText("Pulled");
  await expect(page.getByTestId("activity-legend")).toContainText("Not found");
  // Today's bar tells the same figures on hover (the chart is rendered on the server).
  const today = new Date().toISOString().slice(0, 10);
  await expect(page.locator(`[data-testid=activity-day][data-day="${today}"]`)).toHaveAttribute(
    "title",
    `${today}: Pulled ${sql.pulls}, Denied ${sql.denied}, Not found ${sql.notFound}, Upstream errors ${sql.upstream}`,
  );
  await screenshots(page, "dashboard");

  // The Pulls page shows pulls by default: no blob or token rows, one row per pull or failed attempt.
  await page.goto("/pulls?range=24h");
  expect(await figures(page)).toEqual({ pulls: 3, denied: 2, notFound: 1, upstream: 0 });
  const rows = page.getByTestId("pull-row");
  await expect(rows).toHaveCount(6);
  await expect(rows.filter({ hasText: "blob" })).toHaveCount(0);
  await expect(rows.filter({ hasText: "Globex Corp" }).filter({ hasText: "Pulled" })).toHaveCount(3);
  await expect(rows.filter({ hasText: "Not found" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "license expired" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "wrong license ID" })).toHaveCount(1);
  // The Client column is not cut off at 1440 px: the whole table fits its container.
  const table = page.locator("table").first();
  const [tableWidth, boxWidth] = await table.evaluate((t) => [t.scrollWidth, t.parentElement!.clientWidth]);
  expect(tableWidth).toBeLessThanOrEqual(boxWidth);
  await expect(table.getByRole("columnheader", { name: "Client" })).toBeVisible();
  await screenshots(page, "pulls");

  // CSV export of the range.
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const csv = await fs.promises.readFile((await (await download).path())!, "utf8");
  const lines = csv.trimEnd().split("\r\n");
  expect(lines[0]!.startsWith("time,customer_id,customer,")).toBe(true);
  expect(lines).toHaveLength(1 + 6);

  // The raw request log is one click away.
  await page.getByRole("link", { name: "Request log" }).click();
  await expect(page).toHaveURL(/kind=requests/);
  await expect(page.getByTestId("pull-row").filter({ hasText: "blob" }).first()).toBeVisible();
  await page.getByLabel("Action").selectOption("blob");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/action=blob/);
  await expect(page.getByTestId("pull-row").filter({ hasText: "manifest" })).toHaveCount(0);
  await screenshots(page, "requests");

  // Versions in use: the tag and the index digest, with the last pull time.
  await page.goto(`/customers/${customer.id}`);
  const versions = page.getByTestId("versions-in-use");
  const multiRow = versions.getByRole("row").filter({ hasText: `${created.slug}/upstream/acme/multi` });
  await expect(multiRow.getByRole("cell", { name: "2.0", exact: true })).toBeVisible();
  await expect(multiRow).toContainText(multi.index.digest.slice(0, 19));
  await expect(versions.getByRole("row").filter({ hasText: "acme/api" })).toContainText(image.manifest.digest.slice(0, 19));

  // The customer list: when each customer last pulled, and a filter for those who never did.
  await page.goto("/customers");
  await expect(page.getByRole("row").filter({ hasText: "Globex Corp" }).getByTestId("last-pull")).toHaveText(/ago|just now/);
  await expect(page.getByRole("row").filter({ hasText: "Lapsed Inc" }).getByTestId("last-pull")).toHaveText("Never");
  await page.getByLabel("Last pull").selectOption("never");
  await expect(page).toHaveURL(/lastPull=never/);
  await expect(page.getByRole("link", { name: "Lapsed Inc" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Globex Corp" })).toHaveCount(0);
  await screenshots(page, "customers");
});
