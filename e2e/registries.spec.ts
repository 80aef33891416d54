import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import pg from "pg";
import { readEmbeddedInfo } from "../lib/db/embedded-info";
import { expect, test } from "@playwright/test";
import { encryptSecret, loadKeyring } from "../lib/secrets/crypto";
import { writeOciImage } from "../tests/helpers/oci-image";
import { startRegistry, type TestRegistry } from "../tests/helpers/registry";
import { newVendor, signUp } from "./helpers";

// A vendor links a real registry (Debian's docker-registry with htpasswd,
// started here on a loopback port) through the form, tests it, edits its alias
// without retyping the password, and deletes it. The password never appears
// in any page.

const PASSWORD = "E2e-Registry-Pa55-3b7c";
let registry: TestRegistry;
let layout: string;

test.beforeAll(async () => {
  layout = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-e2e-oci-"));
  await writeOciImage(layout, { tag: "1.0" });
  registry = await startRegistry({ auth: "htpasswd", users: { vendor: PASSWORD } });
  await registry.push(layout, "1.0", "acme/api:1.0");
});

test.afterAll(async () => {
  await registry?.stop();
  if (layout) await fs.promises.rm(layout, { recursive: true, force: true });
});

test("link a registry through the form, test it, edit its alias without the password, delete it", async ({ page }) => {
  // Every save runs a real connection test, and a cold dev server compiles pages on first use.
  test.setTimeout(150_000);
  const pages: string[] = [];
  page.on("response", async (response) => {
    const type = response.headers()["content-type"] ?? "";
    if (type.includes("text/html") || type.includes("text/x-component") || type.includes("json")) {
      pages.push(await response.text().catch(() => ""));
    }
  });

  await signUp(page, newVendor("registries"));
  await page.getByRole("link", { name: "Registries", exact: true }).click();
  await expect(page).toHaveURL(/\/settings\/registries$/);
  await expect(page.getByText("No registries linked")).toBeVisible();
  await page.getByRole("link", { name: "Link registry" }).first().click();
  await expect(page).toHaveURL(/\/settings\/registries\/new$/);

  await page.getByLabel("Provider").selectOption("other");
  await page.getByLabel("Registry host[:port]").fill(registry.host);
  await page.getByLabel("Username").fill("vendor");
  // The test registry speaks plain HTTP on loopback (start-server.sh allows loopback).
  await page.getByRole("switch", { name: "Allow plain HTTP" }).click();

  // A host:port needs an alias (image paths cannot hold a port): the form says why and saves nothing.
  await page.getByLabel("Password", { exact: false }).fill("not-the-password");
  await page.getByRole("button", { name: "Link registry" }).click();
  await expect(page.getByText(`${registry.host} cannot appear in an image path`).first()).toBeVisible();
  await expect(page).toHaveURL(/\/settings\/registries\/new$/);

  // A wrong password: the test says so and nothing is saved.
  await page.getByLabel("Alias").fill("acme");
  await page.getByRole("button", { name: "Link registry" }).click();
  await expect(page.getByTestId("form-alert")).toHaveText("Wrong credentials: the registry rejected the username or password.");
  await expect(page).toHaveURL(/\/settings\/registries\/new$/);

  await page.getByLabel("Password", { exact: false }).fill(PASSWORD);
  await page.getByLabel("Image to check").fill("acme/api:1.0");
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("connection-result")).toHaveText("Connected.");
  await page.getByLabel("Image to check").fill("acme/api:9.9");
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("connection-result")).toHaveText(`Image not found: acme/api:9.9 does not exist in ${registry.host}.`);

  await page.getByRole("button", { name: "Link registry" }).click();
  await expect(page).toHaveURL(/\/settings\/registries$/);
  const linked = page.getByTestId("registry-item").filter({ hasText: "acme" });
  await expect(linked).toContainText(registry.host);
  await expect(linked.getByTestId("last-test")).toContainText("Connected");

  await linked.getByRole("button", { name: "Test connection to acme" }).click();
  await expect(linked.getByTestId("connection-result")).toHaveText("Connected.");

  // Edit the alias; the password field stays blank and the stored secret is kept.
  await linked.getByRole("link", { name: "Edit acme" }).click();
  await expect(page).toHaveURL(/\/settings\/registries\/[^/]+\/edit$/);
  await expect(page.getByLabel("Password", { exact: false })).toHaveValue("");
  await expect(page.getByLabel("Alias")).toHaveValue("acme");
  // Another host with the stored password: the form asks for the password again, and the server refuses.
  await page.getByLabel("Registry host[:port]").fill("127.0.0.1:9");
  await expect(page.getByText("Required again: the stored one is only sent to the host and username it was saved for.")).toBeVisible();
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByText("Changing the registry host or username (or allowing plain HTTP) needs the password again.")).toBeVisible();
  await expect(page.getByTestId("connection-result")).toHaveCount(0);
  await page.getByLabel("Registry host[:port]").fill(registry.host);
  await expect(page.getByText("Leave blank to keep the current one.")).toBeVisible();
  await page.getByLabel("Alias").fill("acme-renamed");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page).toHaveURL(/\/settings\/registries$/);
  const renamed = page.getByTestId("registry-item").filter({ hasText: "acme-renamed" });
  await expect(renamed).toBeVisible();
  await renamed.getByRole("button", { name: "Test connection to acme-renamed" }).click();
  await expect(renamed.getByTestId("connection-result")).toHaveText("Connected.");

  await renamed.getByRole("button", { name: "Delete acme-renamed" }).click();
  await page.getByRole("button", { name: "Delete registry" }).click();
  await expect(page.getByText("No registries linked")).toBeVisible();

  expect(pages.length).toBeGreaterThan(5);
  for (const body of pages) expect(body).not.toContain(PASSWORD);
});

test("a registry whose stored password no longer decrypts shows a banner on its page", async ({ page, request }) => {
  test.setTimeout(120_000);
  const vendor = newVendor("secret-banner");
  await signUp(page, vendor);
  const { stdout } = await promisify(execFile)(process.execPath, ["bin/pullgate.mjs", "token", "create", "--email", vendor.email, "--name", "e2e"], {
    env: { ...process.env, PULLGATE_DATA_DIR: process.env.E2E_DATA_DIR! },
  });
  const api = { Authorization: `Bearer ${/pgt_\w+/.exec(stdout)![0]}` };
  const linked = await request.post("/api/v1/registries", {
    headers: api,
    data: { provider: "other", endpoint: registry.host, name: "sealed-elsewhere", username: "vendor", password: PASSWORD, allowHttp: true },
  });
  expect(linked.status(), await linked.text()).toBe(201);
  const { registry: row } = await linked.json();

  await page.goto(`/settings/registries/${row.id}/edit`);
  await expect(page.getByRole("heading", { name: "Edit sealed-elsewhere" })).toBeVisible();
  await expect(page.getByTestId("secret-unreadable")).toHaveCount(0);

  // The server's key changed since the password was stored: sealed with a key it does not have.
  // embedded.json says where the server is; the URL with the password comes from readEmbeddedInfo.
  const db = new pg.Client({ connectionString: readEmbeddedInfo(process.env.E2E_DATA_DIR!)!.url });
  await db.connect();
  try {
    const sealed = encryptSecret(PASSWORD, loadKeyring({ PULLGATE_SECRET_KEY: randomBytes(32).toString("base64") }));
    await db.query(`UPDATE "RegistryCredential" SET "secretCiphertext" = $1 WHERE id = $2`, [sealed.ciphertext, row.id]);
  } finally {
    await db.end();
  }

  await page.reload();
  const banner = page.getByTestId("secret-unreadable");
  await expect(banner).toBeVisible();
  await expect(banner).toContainText("The stored password of this registry cannot be decrypted.");
  await expect(banner).toContainText("PULLGATE_SECRET_KEY_PREVIOUS");
  await page.screenshot({ path: test.info().outputPath("secret-banner-wide.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(banner).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("secret-banner-narrow.png"), fullPage: true });
});
