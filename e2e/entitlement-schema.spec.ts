import { expect, test } from "@playwright/test";
import { newVendor, signUp } from "./helpers";
import { createApp, uniqueName } from "./portal-helpers";

// Issue 18: an app's entitlement schema drives the customer form, which shows
// the server's field-level errors under the entitlement they are about;
// values saved before the schema changed are flagged, not dropped. The
// customer page also offers the signed license file.

test("the customer form refuses an entitlement that does not fit the app's schema, under that entitlement", async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, newVendor("entitlements"));
  const app = await createApp(page, uniqueName("Schema app"));

  // The vendor defines two fields on the app page.
  const schema = page.getByRole("form", { name: "Entitlement schema" });
  await schema.getByRole("button", { name: "Add field" }).click();
  await schema.getByLabel("Field 1 name").fill("seats");
  await schema.getByLabel("Field 1 type").selectOption("number");
  await schema.getByLabel("Field 1 required").check();
  await schema.getByRole("button", { name: "Add field" }).click();
  await schema.getByLabel("Field 2 name").fill("tier");
  await schema.getByLabel("Field 2 default").fill("standard");
  await schema.getByRole("button", { name: "Save schema" }).click();
  await expect(page.getByText("Entitlement schema saved.")).toBeVisible();

  // A new customer's entitlements start from those fields.
  await page.goto(`/customers/new?appId=${app.id}`);
  const name = uniqueName("Initech");
  await page.getByLabel("Name", { exact: true }).fill(name);
  await expect(page.getByLabel("Entitlement 1 name")).toHaveValue("seats");
  await expect(page.getByLabel("Entitlement 2 name")).toHaveValue("tier");
  await expect(page.getByLabel("Entitlement 2 value")).toHaveValue("standard");

  // Not a number: the server's message, under that entitlement, and nothing is created.
  await page.getByLabel("Entitlement 1 value").fill("ten");
  await page.getByRole("button", { name: "Create customer" }).click();
  const seatsValue = page.getByLabel("Entitlement 1 value");
  await expect(seatsValue).toHaveAttribute("aria-invalid", "true");
  const describedBy = await seatsValue.getAttribute("aria-describedby");
  await expect(page.locator(`#${describedBy}`)).toHaveText("Must be a number.");
  await expect(page.getByLabel("Entitlement 2 value")).not.toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/customers\/new/);

  // A required field removed: named in the list below the editor.
  await page.getByRole("button", { name: "Remove entitlement 1" }).click();
  await page.getByRole("button", { name: "Create customer" }).click();
  await expect(page.getByText("seats: Required.")).toBeVisible();

  await page.getByRole("button", { name: "Add entitlement" }).click();
  await page.getByLabel("Entitlement 2 name").fill("seats");
  await page.getByLabel("Entitlement 2 type").selectOption("number");
  await page.getByLabel("Entitlement 2 value").fill("12");
  await page.getByRole("button", { name: "Create customer" }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  const customerUrl = page.url();

  // The schema changes: the stored tier no longer fits; it is kept and flagged on the customer page and the app page.
  await page.goto(`/apps/${app.id}`);
  await schema.getByLabel("Field 2 type").selectOption("number");
  await schema.getByRole("button", { name: "Save schema" }).click();
  await expect(page.getByText("Entitlement schema saved.")).toBeVisible();
  await expect(page.getByText("Customers whose entitlements do not fit the schema (1):")).toBeVisible();
  await page.goto(customerUrl);
  await expect(page.getByText("Does not fit the app's entitlement schema (kept as it is):")).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "tier" })).toContainText("tier: Must be a number.");

  // The signed license file downloads from the customer page.
  const href = await page.getByRole("link", { name: "Download license file" }).getAttribute("href");
  const file = await page.request.get(href!);
  expect(file.status()).toBe(200);
  expect(file.headers()["content-type"]).toBe("application/jwt");
  const [, payload] = (await file.text()).split(".");
  expect(JSON.parse(Buffer.from(payload!, "base64url").toString())).toMatchObject({ customer: { name }, entitlements: { seats: 12, tier: "standard" } });
});
