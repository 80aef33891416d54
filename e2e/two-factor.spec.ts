import { expect, test, type Page } from "@playwright/test";
import { TOTP } from "otpauth";
import { newVendor, signOut, signUp, submitSignIn } from "./helpers";

// Two-factor sign-in in the browser: the test reads the enrolment key the page
// shows (as an authenticator app reads the QR code) and computes codes with the
// same library the portal checks them with.

async function passwordStep(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/signin");
  await submitSignIn(page, email, password);
  await expect(page).toHaveURL(/\/signin\/verify/);
}

async function codeStep(page: Page, code: string): Promise<void> {
  await page.getByLabel("Authentication code").fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
}

test("enrol with the QR key; sign-in then needs a code; a recovery code works once", async ({ page }) => {
  test.setTimeout(120_000);
  const vendor = newVendor("totp");
  await signUp(page, vendor);
  await page.goto("/account");
  await page.getByRole("link", { name: "Manage two-factor sign-in" }).click();
  await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
  const totp = new TOTP({ secret, algorithm: "SHA1", digits: 6, period: 30 });
  await page.getByLabel("Code from the app").fill("000000");
  await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  await expect(page.getByText("That code does not match")).toBeVisible();
  await page.getByLabel("Code from the app").fill(totp.generate());
  await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  const codes = page.getByTestId("recovery-code");
  await expect(codes).toHaveCount(10);
  const recovery = (await codes.allTextContents()).map((c) => c.trim());
  await page.getByRole("link", { name: "I saved them: continue" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await signOut(page);

  // The password alone is not enough: no session until the code.
  await passwordStep(page, vendor.email, vendor.password);
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/signin/);
  await passwordStep(page, vendor.email, vendor.password);
  await codeStep(page, "123456" === totp.generate() ? "654321" : "123456");
  await expect(page.getByText("That code is not valid.")).toBeVisible();
  // The enrolment used this time step's code: the next step's is accepted (one step of drift is allowed).
  await codeStep(page, totp.generate({ timestamp: Date.now() + 30_000 }));
  await expect(page).toHaveURL(/\/dashboard$/);
  await signOut(page);

  // A recovery code instead of the app, once.
  await passwordStep(page, vendor.email, vendor.password);
  await codeStep(page, recovery[0]!);
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.goto("/two-factor");
  await expect(page.getByTestId("two-factor-state")).toContainText("9 recovery codes left");
  await page.goto("/dashboard");
  await signOut(page);
  await passwordStep(page, vendor.email, vendor.password);
  await codeStep(page, recovery[0]!);
  await expect(page.getByText("That code is not valid.")).toBeVisible();
  await expect(page).toHaveURL(/\/signin\/verify/);
});

test("an owner requires two-factor sign-in for the team: a member without it is sent to set it up", async ({ page }) => {
  const vendor = newVendor("totp-team");
  await signUp(page, vendor);
  await page.goto("/settings/members");
  await page.getByRole("switch", { name: "Require two-factor sign-in" }).click();
  await expect(page.getByText("Two-factor sign-in is now required in this team.")).toBeVisible();
  await page.goto("/customers");
  await expect(page).toHaveURL(/\/two-factor$/);
  await expect(page.getByText("requires two-factor sign-in.")).toBeVisible();
});
