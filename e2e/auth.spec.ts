import { expect, test } from "@playwright/test";
import { newVendor, signOut, signUp, submitSignIn } from "./helpers";

test("sign up lands on the empty dashboard; sign out and sign in again", async ({ page }) => {
  const vendor = newVendor("signup");
  await signUp(page, vendor);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await expect(page.getByText("Welcome to Pullgate")).toBeVisible();
  await expect(page.getByRole("link", { name: "Link a registry" }).first()).toHaveAttribute("href", "/settings/registries");
  await expect(page.getByRole("link", { name: "Create an app" }).first()).toHaveAttribute("href", "/apps/new");
  await expect(page.getByText(vendor.teamName).first()).toBeVisible();

  await signOut(page);
  // Signed out, the portal sends you to sign in.
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/signin$/);

  await submitSignIn(page, vendor.email.toUpperCase(), vendor.password);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByText("Welcome to Pullgate")).toBeVisible();
  // Signed in, / and /signin go to the dashboard.
  await page.goto("/signin");
  await expect(page).toHaveURL(/\/dashboard$/);
});

test("sign-up form shows field errors and refuses a taken email", async ({ page }) => {
  const vendor = newVendor("taken");
  await signUp(page, vendor);
  await signOut(page);

  await page.goto("/signup");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Enter a valid email address.")).toBeVisible();
  await expect(page.getByLabel("Work email")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("Password must be at least 8 characters.")).toBeVisible();
  await expect(page.getByText("Team name is required.")).toBeVisible();

  await page.getByLabel("Work email").fill(vendor.email);
  await page.getByLabel("Password").fill("another-password");
  await page.getByLabel("Team name").fill("Second team");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("An account with this email already exists.")).toBeVisible();
  await expect(page.getByLabel("Work email")).toHaveValue(vendor.email);
});

test("a wrong password says so without revealing whether the email exists", async ({ page }) => {
  const vendor = newVendor("wrongpw");
  await signUp(page, vendor);
  await signOut(page);

  await submitSignIn(page, vendor.email, "not-the-password");
  await expect(page.getByTestId("form-alert")).toHaveText("Incorrect email or password.");
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page.getByLabel("Email")).toHaveValue(vendor.email);

  await submitSignIn(page, `nobody-${vendor.email}`, "not-the-password");
  await expect(page.getByTestId("form-alert")).toHaveText("Incorrect email or password.");
});

test("repeated wrong passwords are refused for a while with a clear message", async ({ page }) => {
  test.setTimeout(120_000);
  const vendor = newVendor("lockout");
  await signUp(page, vendor);
  await signOut(page);

  const lockedMessage = "Too many failed sign-in attempts. Try again in 15 minutes.";
  for (let attempt = 1; attempt <= 9; attempt++) {
    await submitSignIn(page, vendor.email, `wrong-${attempt}`);
    await expect(page.getByTestId("form-alert")).toHaveText("Incorrect email or password.");
  }
  // The tenth failure within 15 minutes locks the email…
  await submitSignIn(page, vendor.email, "wrong-10");
  await expect(page.getByTestId("form-alert")).toHaveText(lockedMessage);
  // …even for the right password, until the lock expires.
  await submitSignIn(page, vendor.email, vendor.password);
  await expect(page.getByTestId("form-alert")).toHaveText(lockedMessage);
  await expect(page).toHaveURL(/\/signin$/);
});
