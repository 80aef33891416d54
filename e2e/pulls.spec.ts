import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { writeOciImage, type WrittenImage } from "../tests/helpers/oci-image";
import { startRegistry, type TestRegistry } from "../tests/helpers/registry";
import { newVendor, signUp } from "./helpers";

// The whole product in one go, as a vendor and a customer would use it: the
// vendor signs up in the browser, automates setup through the REST API with a
// token made by the CLI, the customer pulls with skopeo through the running
// proxy, and the vendor sees the pulls in the portal.

const run = promisify(execFile);
const PROXY = `localhost:${process.env.E2E_PROXY_PORT || 5150}`;
const UPSTREAM_PASSWORD = "E2e-Pulls-Upstream-9f2a";
let registry: TestRegistry;
let layout: string;
let image: WrittenImage;

test.beforeAll(async () => {
  layout = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-e2e-pulls-"));
  image = await writeOciImage(layout, { tag: "1.4.2" });
  registry = await startRegistry({ auth: "htpasswd", users: { vendor: UPSTREAM_PASSWORD } });
  await registry.push(layout, "1.4.2", "acme/api:1.4.2");
});

test.afterAll(async () => {
  await registry?.stop();
  if (layout) await fs.promises.rm(layout, { recursive: true, force: true });
});

test("a customer's pulls through the proxy show on the Pulls page and the customer's page", async ({ page, request }) => {
  test.setTimeout(180_000);
  const vendor = newVendor("pulls");
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

  const dest = path.join(layout, "pulled");
  const imageRef = `${PROXY}/proxy/${created.slug}/upstream/acme/api:1.4.2`;
  await run("skopeo", ["--insecure-policy", "copy", "--src-tls-verify=false", "--src-creds", `ops@globex.test:${customer.license.licenseId}`, `docker://${imageRef}`, `oci:${dest}:pulled`]);
  const pulledIndex = JSON.parse(await fs.promises.readFile(path.join(dest, "index.json"), "utf8"));
  expect(pulledIndex.manifests[0].digest).toBe(image.manifest.digest);
  // A denied attempt shows up too.
  await expect(run("skopeo", ["inspect", "--tls-verify=false", "--creds", `x:${"Z".repeat(27)}`, `docker://${imageRef}`])).rejects.toThrow();

  // Pull events are written in batches off the request path: poll the page.
  await expect(async () => {
    await page.goto("/pulls?range=24h");
    const rows = page.getByTestId("pull-row").filter({ hasText: "Globex Corp" });
    await expect(rows.filter({ hasText: "manifest" }).first()).toBeVisible({ timeout: 1000 });
    await expect(rows.filter({ hasText: "blob" }).first()).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.getByRole("heading", { name: "Pulls", level: 1 })).toBeVisible();

  await page.getByLabel("Action").selectOption("blob");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/action=blob/);
  await expect(page.getByTestId("pull-row").first()).toContainText("blob");
  await expect(page.getByTestId("pull-row").filter({ hasText: "manifest" })).toHaveCount(0);

  await page.goto(`/customers/${customer.id}`);
  await expect(page.getByRole("heading", { name: "Versions in use" })).toBeVisible();
  const versions = page.getByTestId("versions-in-use");
  await expect(versions.getByRole("cell", { name: "1.4.2" })).toBeVisible();
  await expect(versions.getByRole("cell", { name: `${created.slug}/upstream/acme/api` })).toBeVisible();
});
