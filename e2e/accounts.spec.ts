import { expect, test, type Page } from "@playwright/test";
import pg from "pg";
import { findRunningEmbedded } from "../lib/db/embedded";
import { firstLink, startSmtpCapture, type SmtpCapture } from "../tests/helpers/smtp-capture";
import { newVendor, signUp, submitSignIn, uniqueEmail } from "./helpers";

// Issue 20 in the browser, with a real SMTP peer (smtp-server on E2E_SMTP_PORT)
// that the portal mails through: invitations and password resets arrive as
// emails whose links the test follows.

let smtp: SmtpCapture;
test.beforeAll(async () => {
  smtp = await startSmtpCapture(Number(process.env.E2E_SMTP_PORT || 5393));
});
test.afterAll(async () => {
  await smtp?.close();
});

async function invite(owner: Page, email: string, role: "member" | "admin" | "owner"): Promise<string> {
  await owner.goto("/settings/members");
  await owner.getByLabel("Email", { exact: true }).fill(email);
  await owner.getByLabel("Role", { exact: true }).selectOption(role);
  await owner.getByRole("button", { name: "Send invitation" }).click();
  await expect(owner.getByText(`Invitation sent to ${email} (${role}).`, { exact: false })).toBeVisible();
  return firstLink(await smtp.waitFor(email, /invited to join/));
}

async function sql(text: string, values: unknown[]): Promise<void> {
  const db = await findRunningEmbedded(process.env.E2E_DATA_DIR!);
  if (!db) throw new Error("the e2e server's embedded database is not running");
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query(text, values);
  } finally {
    await client.end();
  }
}

test("an invitation arrives by email; the invitee signs up from its link, accepts, and is a member with the invited role", async ({ browser }) => {
  test.setTimeout(180_000);
  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const vendor = { ...newVendor("inviter"), teamName: "Invitations Inc" };
  await signUp(owner, vendor);

  const inviteeEmail = uniqueEmail("invitee");
  const link = await invite(owner, inviteeEmail, "admin");
  expect(link).toMatch(new RegExp(`/invite/[A-Za-z0-9_-]{43}$`));
  const pendingRow = owner.getByTestId("invitation-row").filter({ hasText: inviteeEmail });
  await expect(pendingRow).toBeVisible();
  // Not a member before accepting.
  await expect(owner.getByRole("row").filter({ hasText: inviteeEmail }).filter({ has: owner.getByRole("button", { name: `Remove ${inviteeEmail}` }) })).toHaveCount(0);

  const inviteeContext = await browser.newContext();
  const invitee = await inviteeContext.newPage();
  await invitee.goto(link);
  await expect(invitee.getByTestId("invitation-team")).toHaveText("Invitations Inc");
  await expect(invitee.getByTestId("invitation-role")).toHaveText("admin");
  await invitee.getByRole("link", { name: "Create an account" }).click();
  await expect(invitee.getByLabel("Work email")).toHaveValue(inviteeEmail);
  await expect(invitee.getByLabel("Team name")).toHaveCount(0);
  await invitee.getByLabel("Your name").fill("Ivy Invitee");
  await invitee.getByLabel("Password").fill("correct-horse-42");
  await invitee.getByRole("button", { name: "Create account" }).click();
  await expect(invitee).toHaveURL(/\/signin\?notice=signed-up&next=/);
  await submitSignIn(invitee, inviteeEmail, "correct-horse-42");
  await expect(invitee).toHaveURL(/\/invite\//);
  await invitee.getByRole("button", { name: "Accept invitation" }).click();
  await expect(invitee).toHaveURL(/\/dashboard$/);
  // Their only team, as admin (no team switcher with one team).
  await expect(invitee.getByRole("complementary")).toContainText("Invitations IncAdmin");

  await owner.reload();
  const memberRow = owner.getByRole("row").filter({ hasText: "Ivy Invitee" });
  await expect(memberRow.getByLabel(`Role of ${inviteeEmail}`)).toHaveValue("admin");
  await expect(pendingRow).toHaveCount(0);
  // The link worked once.
  await invitee.goto(link);
  await expect(invitee.getByText("This invitation was already accepted")).toBeVisible();
  await owner.goto("/audit");
  await expect(owner.getByRole("cell", { name: "invitation.accept", exact: true })).toBeVisible();
  await ownerContext.close();
  await inviteeContext.close();
});

test("declining keeps the invitee out; an expired or revoked link fails", async ({ browser }) => {
  test.setTimeout(180_000);
  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  await signUp(owner, { ...newVendor("decline-owner"), teamName: "Declined Co" });

  // Someone with an account of their own declines.
  const otherContext = await browser.newContext();
  const other = await otherContext.newPage();
  const otherVendor = { ...newVendor("decliner"), teamName: "Their Own Team", name: "Dee Decliner" };
  await signUp(other, otherVendor);
  const declineLink = await invite(owner, otherVendor.email, "member");
  await other.goto(declineLink);
  await other.getByRole("button", { name: "Decline" }).click();
  await expect(other.getByText("This invitation was declined")).toBeVisible();
  await owner.reload();
  await expect(owner.getByRole("row").filter({ hasText: "Dee Decliner" })).toHaveCount(0);
  await expect(owner.getByTestId("invitation-row").filter({ hasText: otherVendor.email })).toHaveCount(0);

  // Expired: seven days have passed (moved in the database, the clock of the running server is real).
  const lateLink = await invite(owner, otherVendor.email, "admin");
  await sql(`UPDATE "Invitation" SET "expiresAt" = now() - interval '1 minute' WHERE "email" = $1 AND "acceptedAt" IS NULL AND "declinedAt" IS NULL AND "revokedAt" IS NULL`, [otherVendor.email]);
  await other.goto(lateLink);
  await expect(other.getByText("This invitation has expired")).toBeVisible();
  await expect(other.getByRole("button", { name: "Accept invitation" })).toHaveCount(0);

  // Revoked.
  const revokedEmail = uniqueEmail("revoked");
  const revokedLink = await invite(owner, revokedEmail, "member");
  await owner.getByRole("button", { name: `Revoke the invitation of ${revokedEmail}` }).click();
  await expect(owner.getByTestId("invitation-row").filter({ hasText: revokedEmail })).toHaveCount(0);
  const strangerContext = await browser.newContext();
  const stranger = await strangerContext.newPage();
  await stranger.goto(revokedLink);
  await expect(stranger.getByText("This invitation was revoked")).toBeVisible();
  await expect(stranger.getByRole("link", { name: "Create an account" })).toHaveCount(0);
  await ownerContext.close();
  await otherContext.close();
  await strangerContext.close();
});

test("password reset: the emailed link sets a new password, which works, and the old session cookie is refused", async ({ browser }) => {
  test.setTimeout(120_000);
  const signedInContext = await browser.newContext();
  const signedIn = await signedInContext.newPage();
  const vendor = newVendor("reset");
  await signUp(signedIn, vendor);
  const oldCookies = await signedInContext.cookies();

  const context = await browser.newContext();
  const page = await context.newPage();
  // An unknown email gets the same answer.
  await page.goto("/signin");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  // The sign-in page has an Email field too: fill only once the reset page has replaced it.
  await expect(page.getByRole("heading", { name: "Reset your password" })).toBeVisible();
  await page.getByLabel("Email").fill(uniqueEmail("nobody"));
  await page.getByRole("button", { name: "Send reset link" }).click();
  const answer = page.getByTestId("form-notice");
  await expect(answer).toContainText("If an account uses this email, a link to choose a new password is on its way.");
  const unknownAnswer = await answer.textContent();

  await page.goto("/forgot-password");
  await page.getByLabel("Email").fill(vendor.email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(answer).toHaveText(unknownAnswer!);
  const link = firstLink(await smtp.waitFor(vendor.email, /new Pullgate password/));

  await page.goto(link);
  await page.getByLabel("New password", { exact: true }).fill("brand-new-password-7");
  await page.getByLabel("Confirm new password").fill("brand-new-password-7");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page).toHaveURL(/\/signin\?notice=password-reset$/);
  await submitSignIn(page, vendor.email, vendor.password);
  await expect(page.getByText("Incorrect email or password.")).toBeVisible();
  await submitSignIn(page, vendor.email, "brand-new-password-7");
  await expect(page).toHaveURL(/\/dashboard$/);

  // The session from before the reset is over, even replayed in a fresh browser.
  await signedIn.goto("/dashboard");
  await expect(signedIn).toHaveURL(/\/signin/);
  const replay = await browser.newContext();
  await replay.addCookies(oldCookies);
  const replayed = await replay.newPage();
  await replayed.goto("/dashboard");
  await expect(replayed).toHaveURL(/\/signin/);

  // The link worked once.
  const again = await replay.newPage();
  await again.goto(link);
  await again.getByLabel("New password", { exact: true }).fill("another-password-8");
  await again.getByLabel("Confirm new password").fill("another-password-8");
  await again.getByRole("button", { name: "Set new password" }).click();
  await expect(again.getByText("This reset link is not valid any more")).toBeVisible();
  await signedInContext.close();
  await context.close();
  await replay.close();
});

test("a password form cannot be sent before its script has run, and never puts what was typed in the URL", async ({ browser }) => {
  // No script is what a slow connection looks like for the first moments: the form is there, its handler is not.
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/reset-password/not-a-real-token");
  const navigations: string[] = [];
  page.on("request", (request) => {
    if (request.isNavigationRequest()) navigations.push(`${request.method()} ${request.url()}`);
  });
  await page.getByLabel("New password", { exact: true }).fill("typed-before-hydration-9");
  await page.getByLabel("Confirm new password").fill("typed-before-hydration-9");
  const submit = page.getByRole("button", { name: "Set new password" });
  await expect(submit).toBeDisabled();
  // Enter in a field submits a form through its default button: a disabled one sends nothing.
  await page.getByLabel("Confirm new password").press("Enter");
  await page.waitForTimeout(500);
  expect(navigations).toEqual([]);
  expect(page.url()).not.toContain("typed-before-hydration-9");
  // Were it sent anyway (a form without the button's guard), it would post, not put the fields in a URL.
  await expect(page.locator("form")).toHaveAttribute("method", "post");
  await context.close();

  // Once the script runs, the same form can be sent.
  const scripted = await browser.newContext();
  const live = await scripted.newPage();
  await live.goto("/reset-password/not-a-real-token");
  await expect(live.getByRole("button", { name: "Set new password" })).toBeEnabled();
  await scripted.close();
});
