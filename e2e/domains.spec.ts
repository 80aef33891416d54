import { expect, test } from "@playwright/test";
import { startDnsServer, type TestDnsServer } from "../tests/helpers/dns-server";
import { newVendor, signUp } from "./helpers";

// A vendor adds a custom domain, sees the records to create, and verifies it
// against a real DNS server started here on the port the e2e server's
// PULLGATE_DNS_SERVERS points at (e2e/start-server.sh).

const DNS_PORT = Number(process.env.E2E_DNS_PORT || 5391);
let dns: TestDnsServer;

test.beforeAll(async () => {
  dns = await startDnsServer(DNS_PORT);
});

test.afterAll(async () => {
  await dns?.close();
});

test("add a domain → records shown → verify → verified badge, default, remove", async ({ page }) => {
  const hostname = `registry-${Date.now().toString(36)}.acme.test`;
  await signUp(page, newVendor("domains"));
  await page.getByRole("link", { name: "Custom domains", exact: true }).click();
  await expect(page).toHaveURL(/\/settings\/domains$/);
  await expect(page.getByText("No custom domains")).toBeVisible();

  // Validation comes from the shared schema.
  await page.getByLabel("Host name").fill("*.acme.test");
  await page.getByRole("button", { name: "Add domain" }).click();
  await expect(page.getByText("Wildcards are not supported: enter one host name such as registry.acme.com.")).toBeVisible();

  await page.getByLabel("Host name").fill(hostname.toUpperCase());
  await page.getByRole("button", { name: "Add domain" }).click();
  const item = page.locator(`[data-testid="domain-item"][data-hostname="${hostname}"]`);
  await expect(item.getByRole("heading", { name: hostname })).toBeVisible();
  await expect(item.getByTestId("domain-status")).toHaveText("Pending");

  // The two records to create, each with copy buttons.
  const cname = item.getByTestId("record-cname");
  await expect(cname).toContainText(hostname);
  await expect(cname.getByRole("button", { name: "Copy CNAME record value" })).toBeVisible();
  const txt = item.getByTestId("record-txt");
  await expect(txt).toContainText(`_pullgate-challenge.${hostname}`);
  await expect(txt.getByRole("button", { name: "Copy TXT record name" })).toBeVisible();
  const token = (await txt.locator("code").nth(1).textContent())!.trim();
  expect(token).toMatch(/^pullgate-verify-[0-9a-f]{40}$/);

  // Not there yet: stays pending and says why.
  await item.getByRole("button", { name: `Verify ${hostname} now` }).click();
  await expect(item.getByTestId("domain-failure-reason")).toHaveText(`No TXT record found at _pullgate-challenge.${hostname}.`);
  await expect(item.getByTestId("domain-status")).toHaveText("Pending");

  dns.zone.set(`_pullgate-challenge.${hostname}`, { txt: [[token]] });
  await item.getByRole("button", { name: `Verify ${hostname} now` }).click();
  await expect(item.getByTestId("domain-status")).toHaveText("Verified");
  await expect(item.getByTestId("domain-failure-reason")).toHaveCount(0);
  await expect(item.getByTestId("domain-cname-warning")).toContainText(`${hostname} has no CNAME record`);
  await expect(item).not.toContainText("Last checked never");

  await item.getByRole("button", { name: "Set as default" }).click();
  await expect(item.getByText("Default", { exact: true })).toBeVisible();

  await item.getByRole("button", { name: `Remove ${hostname}` }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Remove domain" }).click();
  await expect(item).toHaveCount(0);
  await expect(page.getByText("No custom domains")).toBeVisible();
});
