import { expect, test } from "@playwright/test";
import { firstLink, startSmtpCapture, type SmtpCapture } from "../tests/helpers/smtp-capture";
import { newVendor, signUp } from "./helpers";
import { callServerAction, captureServerActionId, createApp, createCustomer, uniqueName } from "./portal-helpers";

let smtp: SmtpCapture;
test.beforeAll(async () => {
  smtp = await startSmtpCapture(Number(process.env.E2E_SMTP_PORT || 5393));
});
test.afterAll(async () => {
  await smtp?.close();
});

test("a member sees the team's pages but cannot change anything, in the UI or through server actions", async ({ browser }) => {
  test.setTimeout(180_000);
  const ownerContext = await browser.newContext();
  const memberContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const member = await memberContext.newPage();

  const ownerVendor = { ...newVendor("owner"), teamName: "Owner Team" };
  const memberVendor = { ...newVendor("member"), teamName: "Member Own Team" };
  await signUp(owner, ownerVendor);
  const app = await createApp(owner, uniqueName("Owner app"));
  const customerName = uniqueName("Owner customer");
  const customer = await createCustomer(owner, app.id, { name: customerName });

  // The future member, in their own team (as owner), learns the server action ids from their own pages.
  await signUp(member, memberVendor);
  const ownApp = await createApp(member, uniqueName("Own app"));
  const ownCustomer = await createCustomer(member, ownApp.id, { name: uniqueName("Own customer") });
  const accessAction = await captureServerActionId(member, () => member.getByRole("switch", { name: "Registry access" }).click());
  await expect(member.getByTestId("license-status").first()).toHaveText("Access off");

  // The owner invites them as a member; the answer is the same for an email without an account.
  // They join only by accepting the emailed invitation.
  await owner.goto("/settings/members");
  await owner.getByLabel("Email", { exact: true }).fill(`nobody-${memberVendor.email}`);
  await owner.getByRole("button", { name: "Send invitation" }).click();
  await expect(owner.getByText(`Invitation sent to nobody-${memberVendor.email} (member).`, { exact: false })).toBeVisible();
  await owner.getByLabel("Email", { exact: true }).fill(memberVendor.email);
  await owner.getByLabel("Role", { exact: true }).selectOption("member");
  await owner.getByRole("button", { name: "Send invitation" }).click();
  await expect(owner.getByText(`Invitation sent to ${memberVendor.email} (member).`, { exact: false })).toBeVisible();
  const link = firstLink(await smtp.waitFor(memberVendor.email, /invited/));
  await member.goto(link);
  await member.getByRole("button", { name: "Accept invitation" }).click();
  await expect(member).toHaveURL(/\/dashboard$/);
  await owner.reload();
  const row = owner.getByRole("row").filter({ hasText: memberVendor.email }).filter({ hasText: "Ada Vendor" });
  await expect(row.getByText("member", { exact: true })).toBeVisible();

  // Accepting switched the member to the owner's team: pages render, mutation controls are gone.
  await expect(member.getByRole("button", { name: `Current team: ${ownerVendor.teamName}. Switch team` })).toBeVisible();
  await member.goto("/customers");
  await expect(member.getByRole("link", { name: customerName })).toBeVisible();
  await expect(member.getByRole("link", { name: "New customer" })).toHaveCount(0);
  await member.getByRole("link", { name: customerName }).click();
  await expect(member.getByRole("heading", { name: customerName, level: 1 })).toBeVisible();
  await expect(member.getByTestId("registry-access-state")).toHaveText("On");
  await expect(member.getByRole("switch", { name: "Registry access" })).toHaveCount(0);
  await expect(member.getByRole("button", { name: "Archive", exact: true })).toHaveCount(0);
  await expect(member.getByRole("link", { name: "Edit" })).toHaveCount(0);
  await member.getByRole("link", { name: "Install", exact: true }).click();
  await expect(member.getByText(`-p ${customer.licenseId}`)).toBeVisible();

  await member.goto("/apps");
  await expect(member.getByRole("link", { name: "New app" })).toHaveCount(0);
  await member.goto("/apps/new");
  await expect(member.getByText(/read-only \(member\)/)).toBeVisible();
  await expect(member.getByRole("button", { name: "Create app" })).toHaveCount(0);
  await member.goto("/settings/members");
  await expect(member.getByRole("button", { name: "Send invitation" })).toHaveCount(0);
  await member.goto("/settings/tokens");
  await expect(member.getByRole("button", { name: "New API token" })).toHaveCount(0);
  await member.goto("/audit");
  await expect(member.getByRole("cell", { name: "invitation.accept", exact: true })).toBeVisible();

  // A hand-made call of the server action is refused with the read-only message and changes nothing.
  const refused = await callServerAction(member, `/customers/${customer.id}`, accessAction, [customer.id, false]);
  expect(refused).toContain("Your role in this team is read-only (member)");
  await owner.goto(`/customers/${customer.id}`);
  await expect(owner.getByTestId("license-status").first()).toHaveText("Active");
  expect(ownCustomer.id).not.toBe(customer.id);

  // Owners manage roles: promoting to admin gives the controls back.
  await owner.goto("/settings/members");
  await owner.getByLabel(`Role of ${memberVendor.email}`).selectOption("admin");
  await expect(owner.getByText(`${memberVendor.email} is now admin.`)).toBeVisible();
  await member.goto(`/customers/${customer.id}`);
  await expect(member.getByRole("switch", { name: "Registry access" })).toBeVisible();

  await ownerContext.close();
  await memberContext.close();
});

test("API tokens: created once-visible with a copy button, listed by prefix, revoked after confirming", async ({ browser }) => {
  const context = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  const page = await context.newPage();
  await signUp(page, newVendor("tokens"));
  await page.goto("/settings/tokens");
  await expect(page.getByText("No API tokens yet")).toBeVisible();
  await page.getByRole("button", { name: "New API token" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Create token" }).click();
  await expect(page.getByText("Token name is required.")).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill("CI release job");
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByText("This is the only time the token is shown.")).toBeVisible();
  await page.getByRole("button", { name: "Copy API token" }).click();
  const token = await page.evaluate(() => navigator.clipboard.readText());
  expect(token).toMatch(/^pgt_[0-9A-Za-z]{8}_[0-9A-Za-z]{40}$/);
  await page.getByRole("button", { name: "Done" }).click();

  // The token works against the REST API, and the list shows its prefix and last use.
  const api = await page.request.get("/api/v1/apps", { headers: { authorization: `Bearer ${token}` } });
  expect(api.status()).toBe(200);
  await page.reload();
  const row = page.getByRole("row").filter({ hasText: "CI release job" });
  await expect(row).toContainText(token.slice(0, 12));
  await expect(row).not.toContainText(token.slice(13));
  await expect(row).not.toContainText("Never");

  await row.getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("button", { name: "Revoke token" }).click();
  await expect(row).toContainText("Revoked");
  const revoked = await page.request.get("/api/v1/apps", { headers: { authorization: `Bearer ${token}` } });
  expect(revoked.status()).toBe(401);
  await context.close();
});
