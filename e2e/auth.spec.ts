import { expect, test } from "@playwright/test";
import { newVendor, signOut, signUp, submitSignIn, submitSignUp, uniqueEmail } from "./helpers";

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

test("sign-up shows field errors, refuses common passwords, and answers a taken email exactly like a new one", async ({ page }) => {
  const vendor = newVendor("taken");
  await signUp(page, vendor);
  await signOut(page);

  await page.goto("/signup");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Enter a valid email address.")).toBeVisible();
  await expect(page.getByLabel("Work email")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("Password must be at least 10 characters.")).toBeVisible();
  await expect(page.getByText("Team name is required.")).toBeVisible();

  // A common password is refused by the server, on its field.
  await page.getByLabel("Work email").fill(uniqueEmail("common"));
  await page.getByLabel("Password").fill("password123");
  await page.getByLabel("Team name").fill("Common team");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("This password is on lists of common passwords that attackers try first: choose another.")).toBeVisible();

  // A new email and a taken one end on the same page with the same words.
  await submitSignUp(page, newVendor("fresh"));
  const freshNotice = (await page.getByTestId("form-notice").textContent()) ?? "";
  await submitSignUp(page, { ...vendor, password: "another-password-9", teamName: "Second team" });
  await expect(page.getByTestId("form-notice")).toHaveText(freshNotice);
  // Nothing was created or changed for the taken email: only the original password signs in.
  await submitSignIn(page, vendor.email, "another-password-9");
  await expect(page.getByTestId("form-alert")).toHaveText("Incorrect email or password.");
  await submitSignIn(page, vendor.email, vendor.password);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByText(vendor.teamName).first()).toBeVisible();
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

test("repeated wrong passwords make sign-in wait, with a clear message", async ({ page }) => {
  test.setTimeout(180_000);
  const vendor = newVendor("lockout");
  await signUp(page, vendor);
  await signOut(page);

  // Free failures first, then each further one doubles the wait (1 s, 2 s, 4 s, …): whatever
  // the machine's speed, an attempt soon arrives inside a wait and is refused unchecked.
  const throttled = /^Too many failed sign-in attempts\. Try again in \d+ (second|minute)s?\.$/;
  let refused = false;
  for (let attempt = 1; attempt <= 14 && !refused; attempt++) {
    await submitSignIn(page, vendor.email, `wrong-${attempt}`);
    const text = await page.getByTestId("form-alert").innerText();
    if (throttled.test(text)) refused = true;
    else expect(text).toBe("Incorrect email or password.");
  }
  expect(refused).toBe(true);
  await expect(page).toHaveURL(/\/signin$/);
});
