import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
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
