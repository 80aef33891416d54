import { execFile } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test, type Page } from "@playwright/test";
import { writeOciImage } from "../tests/helpers/oci-image";
import { startRegistry, type TestRegistry } from "../tests/helpers/registry";
import { newVendor, signUp } from "./helpers";
import { createApp, createCustomer, uniqueName } from "./portal-helpers";

// The customer's path, as a new vendor walks it in the browser: link a
// registry by host:port (which needs an alias: the form says why) and one by
// host name alone (`localhost`: Distribution with TLS on 127.0.0.1:443, its
// certificate trusted through NODE_EXTRA_CA_CERTS by e2e/start-server.sh),
// create an app and a customer, copy every reference the install page shows
// from the clipboard, and pull each one with skopeo through the proxy. Then a
// license with image patterns: every image its "may pull" list shows pulls,
// every other image of the app's catalog is refused.

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

const run = promisify(execFile);
const PROXY = process.env.E2E_PROXY_PUBLIC_HOST || `localhost:${process.env.E2E_PROXY_PORT || 5150}`;
const PASSWORD_A = "E2e-Install-Alias-7c1d";
const PASSWORD_B = "E2e-Install-Host-2e9f";
let byPort: TestRegistry;
let byHost: TestRegistry;
let layout: string;

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

async function readClipboard(page: Page): Promise<string> {
  return page.evaluate(() => navigator.clipboard.readText());
}

async function skopeo(args: string[]) {
  return run("skopeo", ["--insecure-policy", ...args], { maxBuffer: 64 * 1024 * 1024 });
}

test.beforeAll(async () => {
  const tlsDir = path.join(process.env.E2E_DATA_DIR!, "e2e-tls");
  if (!fs.existsSync(path.join(tlsDir, "cert.pem"))) throw new Error(`${tlsDir}/cert.pem is missing: start the server with e2e/start-server.sh`);
  if (!(await portIsFree(443))) throw new Error("127.0.0.1:443 is in use: the host-form registry of this spec needs it");
  layout = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-e2e-install-"));
  for (const tag of ["1.0", "1.1", "2.0", "0.1", "3.0"]) await writeOciImage(layout, { tag, labels: { tag } });
  byPort = await startRegistry({ auth: "htpasswd", users: { vendor: PASSWORD_A } });
  await byPort.push(layout, "1.0", "acme/api:1.0");
  await byPort.push(layout, "1.1", "acme/api:1.1");
  await byPort.push(layout, "2.0", "acme/web:2.0");
  await byPort.push(layout, "0.1", "tools/cli:0.1");
  byHost = await startRegistry({
    auth: "htpasswd",
    users: { vendor: PASSWORD_B },
    port: 443,
    tlsFiles: { certFile: path.join(tlsDir, "cert.pem"), keyFile: path.join(tlsDir, "key.pem") },
  });
  await byHost.push(layout, "3.0", "team/app:3.0");
  await byHost.push(layout, "1.0", "team/db:1.0");
});

test.afterAll(async () => {
  await Promise.all([byPort?.stop(), byHost?.stop()]);
  if (layout) await fs.promises.rm(layout, { recursive: true, force: true });
});

async function linkRegistry(page: Page, fields: { endpoint: string; alias?: string; password: string; allowHttp?: boolean }) {
  await page.goto("/settings/registries/new");
  await page.getByLabel("Provider").selectOption("other");
  await page.getByLabel("Registry host[:port]").fill(fields.endpoint);
  await page.getByLabel("Username").fill("vendor");
  await page.getByLabel("Password", { exact: false }).fill(fields.password);
  if (fields.alias) await page.getByLabel("Alias").fill(fields.alias);
  // A plain-HTTP registry on loopback: allowed by start-server.sh's PULLGATE_UPSTREAM_ALLOW_CIDRS, and marked insecure.
  if (fields.allowHttp) await page.getByRole("switch", { name: "Allow plain HTTP" }).click();
  await page.getByRole("button", { name: "Link registry" }).click();
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

test("every reference the install page gives pulls; 'may pull' is what the proxy allows", async ({ page }) => {
  test.setTimeout(300_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  const vendor = newVendor("install");
  await signUp(page, vendor);

  // A host:port cannot be saved for app use without an alias, and the form says why.
  await linkRegistry(page, { endpoint: byPort.host, password: PASSWORD_A, allowHttp: true });
  await expect(page.getByText(`${byPort.host} cannot appear in an image path`).first()).toBeVisible();
  await expect(page).toHaveURL(/\/settings\/registries\/new$/);
  await page.getByLabel("Alias").fill("acme");
  await page.getByRole("button", { name: "Link registry" }).click();
  await expect(page).toHaveURL(/\/settings\/registries$/);
  // A host without a port is itself a valid path component: no alias needed.
  await linkRegistry(page, { endpoint: "localhost", password: PASSWORD_B });
  await expect(page).toHaveURL(/\/settings\/registries$/);
  await expect(page.getByTestId("registry-item").filter({ hasText: "localhost" })).toBeVisible();

  const app = await createApp(page, uniqueName("Install app"));
  const email = `ops-${Date.now().toString(36)}@globex.test`;
  const customer = await createCustomer(page, app.id, { name: uniqueName("Globex"), email });

  // The install page: every image of both registries, each with a reference and a pull line to copy.
  await page.goto(`/customers/${customer.id}/install`);
  const items = page.getByTestId("install-image");
  await expect(items).toHaveCount(5, { timeout: 30_000 });
  await expect(page.getByText(`docker login ${PROXY} -u ${email} -p ${customer.licenseId}`)).toBeVisible();
  const shown = await items.evaluateAll((els) => els.map((el) => el.getAttribute("data-image")));
  expect(shown).toEqual(["acme/acme/api", "acme/acme/web", "acme/tools/cli", "localhost/team/app", "localhost/team/db"]);

  const pulled: string[] = [];
  for (const name of shown) {
    const item = page.locator(`[data-testid="install-image"][data-image="${name}"]`);
    await item.getByRole("button", { name: `Copy reference of ${name}` }).click();
    const reference = await readClipboard(page);
    await item.getByRole("button", { name: `Copy docker pull for ${name}` }).click();
    const pullLine = await readClipboard(page);
    const m = /^docker pull (\S+):([A-Za-z0-9_][A-Za-z0-9._-]*)$/.exec(pullLine);
    expect(m, pullLine).not.toBeNull();
    expect(m![1]).toBe(reference);
    // The default host first, then a path whose every component a client accepts (no port in it).
    expect(reference.startsWith(`${PROXY}/proxy/${app.slug}/`)).toBe(true);
    expect(reference.slice(PROXY.length + 1)).toMatch(/^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/);
    const dest = path.join(layout, `pulled-${pulled.length}`);
    await skopeo(["copy", "--src-tls-verify=false", "--src-creds", `${email}:${customer.licenseId}`, `docker://${m![1]}:${m![2]}`, `oci:${dest}:x`]);
    pulled.push(`${m![1]}:${m![2]}`);
  }
  expect(pulled).toHaveLength(5);
  expect(pulled.some((r) => r.includes("/acme/acme/api:"))).toBe(true);
  expect(pulled.some((r) => r.includes("/localhost/team/app:3.0"))).toBe(true);

  // The rewriter starts from the app's own image and resolves against the linked registries only.
  const box = page.getByLabel("Image reference");
  await expect(box).not.toHaveValue(/ghcr\.io/);
  await box.fill(`${byPort.host}/acme/api:1.1`);
  await expect(page.getByTestId("rewritten-image")).toHaveText(`${PROXY}/proxy/${app.slug}/acme/acme/api:1.1`);
  await box.fill("acme/acme/api:1.0");
  await expect(page.getByTestId("rewritten-image")).toHaveText(`${PROXY}/proxy/${app.slug}/acme/acme/api:1.0`);
  await box.fill("ghcr.io/acme/api:1.2.0");
  await expect(page.getByTestId("rewrite-error")).toContainText("ghcr.io is not a registry your team linked");
  await screenshots(page, "install");

  // A license limited by patterns: the editor previews what they match as they are typed.
  await page.goto(`/customers/new?appId=${app.id}`);
  const patternedName = uniqueName("Initech");
  await page.getByLabel("Name", { exact: true }).fill(patternedName);
  await page.getByRole("button", { name: "Add image pattern" }).click();
  await page.getByLabel("Image pattern 1", { exact: true }).fill("acme/");
  await expect(page.getByText("Must not start or end with /.")).toBeVisible();
  await page.getByLabel("Image pattern 1", { exact: true }).fill("acme/*");
  await expect(page.getByTestId("pattern-matches")).toHaveText("Matches acme/acme/api, acme/acme/web.");
  await expect(page.getByTestId("pattern-preview")).toContainText("May pull 2 of the app's 5 known images");
  await page.getByRole("button", { name: "Create customer" }).click();
  await expect(page).toHaveURL(/\/customers\/[^/]+$/);
  const patternedLicense = (await page.getByTestId("license-id").textContent())!.trim();

  // "May pull": read from the page, then every listed image and tag pulls, and nothing else does.
  const mayPull = page.getByTestId("may-pull-image");
  await expect(mayPull).toHaveCount(2, { timeout: 30_000 });
  const allowed = new Map<string, string[]>();
  for (const item of await mayPull.all()) {
    allowed.set((await item.getAttribute("data-image"))!, await item.getByTestId("may-pull-tag").allTextContents());
  }
  expect([...allowed.keys()]).toEqual(["acme/acme/api", "acme/acme/web"]);
  expect(allowed.get("acme/acme/api")).toEqual(["1.0", "1.1"]);
  await screenshots(page, "customer");
  const creds = `LICENSE_ID:${patternedLicense}`;
  for (const [image, tags] of allowed) {
    for (const tag of tags) await skopeo(["inspect", "--tls-verify=false", "--creds", creds, `docker://${PROXY}/proxy/${app.slug}/${image}:${tag}`]);
  }
  await page.goto(`/apps/${app.id}`);
  const catalog = await page.getByTestId("catalog-image").evaluateAll((els) => els.map((el) => el.getAttribute("data-image")!));
  expect(catalog).toHaveLength(5);
  const unlisted = catalog.filter((image) => !allowed.has(image));
  expect(unlisted).toEqual(["acme/tools/cli", "localhost/team/app", "localhost/team/db"]);
  for (const image of unlisted) {
    const tag = image.endsWith("cli") ? "0.1" : image.endsWith("app") ? "3.0" : "1.0";
    await expect(skopeo(["inspect", "--tls-verify=false", "--creds", creds, `docker://${PROXY}/proxy/${app.slug}/${image}:${tag}`])).rejects.toThrow(
      /image not included in this license/,
    );
  }
  await screenshots(page, "app");
});
