import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { newVendor, signOut, signUp, submitSignIn, type Vendor } from "./helpers";

// Sessions end on the server: a cookie copied before sign-out, "sign out
// everywhere" or a password change opens nothing afterwards.

const SESSION_COOKIE = "authjs.session-token";

async function sessionCookie(context: BrowserContext) {
  const cookie = (await context.cookies()).find((c) => c.name === SESSION_COOKIE);
  expect(cookie, "the session cookie").toBeTruthy();
  return cookie!;
}

/** A second browser that was never signed in, holding a copy of the first one's session cookie. */
async function browserWithCopiedCookie(browser: Browser, from: BrowserContext): Promise<Page> {
  const thief = await browser.newContext();
  await thief.addCookies([await sessionCookie(from)]);
  return thief.newPage();
}

async function signInElsewhere(browser: Browser, vendor: Vendor): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto("/signin");
  await submitSignIn(page, vendor.email, vendor.password);
  await expect(page).toHaveURL(/\/dashboard$/);
  return page;
}

async function expectSignedOut(page: Page) {
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/signin$/);
}

test("a session cookie copied before sign-out is refused afterwards", async ({ browser, page, context }) => {
  const vendor = newVendor("copied");
  await signUp(page, vendor);

  const thief = await browserWithCopiedCookie(browser, context);
  await thief.goto("/dashboard");
  await expect(thief.getByRole("heading", { name: "Dashboard" })).toBeVisible();

  await signOut(page);
  await expectSignedOut(thief);
  // Auth.js's own session endpoint agrees: no user behind that cookie any more.
  const copied = await sessionCookie(context).catch(() => null);
  expect(copied).toBeNull();
  const session = await thief.request.get("/api/auth/session");
  expect(await session.json()).toBeNull();
});

test("sign out everywhere ends every browser's session, copies included", async ({ browser, page, context }) => {
  const vendor = newVendor("everywhere");
  await signUp(page, vendor);
  const laptop = await signInElsewhere(browser, vendor);
  const thief = await browserWithCopiedCookie(browser, context);

  await page.getByRole("button", { name: "Account menu" }).click();
  await page.getByRole("menuitem", { name: "Account" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByText("You are signed in on 2 browsers or devices, this one included.")).toBeVisible();
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/signin\?notice=signed-out-everywhere$/);
  await expect(page.getByTestId("form-notice")).toContainText("You were signed out everywhere.");

  await expectSignedOut(laptop);
  await expectSignedOut(thief);
});

test("changing the password ends every session; only the new password signs in", async ({ browser, page }) => {
  const vendor = newVendor("passwd");
  await signUp(page, vendor);
  const laptop = await signInElsewhere(browser, vendor);

  await page.goto("/account");
  const form = page.locator("form").filter({ has: page.getByRole("button", { name: "Change password" }) });
  await form.getByLabel("Current password").fill("not-my-password");
  await form.getByLabel("New password", { exact: true }).fill("a-new-password-77");
  await form.getByLabel("Confirm new password").fill("a-new-password-77");
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByText("That is not your current password.")).toBeVisible();

  await form.getByLabel("Current password").fill(vendor.password);
  await form.getByLabel("New password", { exact: true }).fill("iloveyou123");
  await form.getByLabel("Confirm new password").fill("iloveyou123");
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByText("This password is on lists of common passwords that attackers try first: choose another.")).toBeVisible();

  await form.getByLabel("New password", { exact: true }).fill("a-new-password-77");
  await form.getByLabel("Confirm new password").fill("a-new-password-77");
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(page).toHaveURL(/\/signin\?notice=password-changed$/);
  await expect(page.getByTestId("form-notice")).toContainText("Your password was changed.");
  await expectSignedOut(laptop);

  await submitSignIn(page, vendor.email, vendor.password);
  await expect(page.getByTestId("form-alert")).toHaveText("Incorrect email or password.");
  await submitSignIn(page, vendor.email, "a-new-password-77");
  await expect(page).toHaveURL(/\/dashboard$/);
});
