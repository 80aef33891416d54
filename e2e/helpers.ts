import { expect, type Page } from "@playwright/test";

export function uniqueEmail(prefix = "vendor"): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

export type Vendor = { email: string; password: string; teamName: string; name: string };

export function newVendor(prefix?: string): Vendor {
  return { email: uniqueEmail(prefix), password: "correct-horse-42", teamName: "Acme Software", name: "Ada Vendor" };
}

/** Submits the sign-up form and waits for the sign-in page it always ends on (new email or not). */
export async function submitSignUp(page: Page, vendor: Vendor): Promise<void> {
  await page.goto("/signup");
  await page.getByLabel("Your name").fill(vendor.name);
  await page.getByLabel("Work email").fill(vendor.email);
  await page.getByLabel("Password").fill(vendor.password);
  await page.getByLabel("Team name").fill(vendor.teamName);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/signin\?notice=signed-up$/);
}

/** Signs up through the form, signs in as it asks, and waits for the dashboard. */
export async function signUp(page: Page, vendor: Vendor): Promise<void> {
  await submitSignUp(page, vendor);
  await submitSignIn(page, vendor.email, vendor.password);
  await expect(page).toHaveURL(/\/dashboard$/);
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Account menu" }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin$/);
}

/** Submits the sign-in form and waits for the server action's answer. */
export async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  const answered = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/signin");
  await page.getByRole("button", { name: "Sign in" }).click();
  await answered;
}
