import { expect, type Page } from "@playwright/test";

// Portal flows shared by the customer and member specs, driven through the UI.

export function uniqueName(prefix: string): string {
  return `${prefix} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** Creates an app through /apps/new and returns its id and slug (as suggested from the name). */
export async function createApp(page: Page, name: string): Promise<{ id: string; slug: string }> {
  await page.goto("/apps/new");
  await page.getByLabel("Name", { exact: true }).fill(name);
  const slug = await page.getByLabel("Slug", { exact: true }).inputValue();
  await page.getByRole("button", { name: "Create app" }).click();
  await expect(page).toHaveURL(/\/apps\/[^/]+$/);
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  const id = new URL(page.url()).pathname.split("/").pop()!;
  return { id, slug };
}

/** Creates a customer of the app (access on, never expires) and returns its id and license ID. */
export async function createCustomer(page: Page, appId: string, customer: { name: string; email?: string }): Promise<{ id: string; licenseId: string }> {
  await page.goto(`/customers/new?appId=${appId}`);
  await page.getByLabel("Name", { exact: true }).fill(customer.name);
  if (customer.email) await page.getByLabel(/^Email/).fill(customer.email);
  await page.getByRole("button", { name: "Create customer" }).click();
  await expect(page).toHaveURL(/\/customers\/[^/]+$/);
  await expect(page.getByRole("heading", { name: customer.name, level: 1 })).toBeVisible();
  const id = new URL(page.url()).pathname.split("/").pop()!;
  const licenseId = (await page.getByTestId("license-id").textContent())!.trim();
  return { id, licenseId };
}

/** Clicks something that calls a server action and returns the action's id (to replay it with other arguments). */
export async function captureServerActionId(page: Page, trigger: () => Promise<void>): Promise<string> {
  const request = page.waitForRequest((r) => r.method() === "POST" && Boolean(r.headers()["next-action"]));
  await trigger();
  return (await request).headers()["next-action"]!;
}

/**
 * Calls a server action directly, as a hand-crafted request from this page's
 * session would, with arguments the UI would never send.
 */
export async function callServerAction(page: Page, path: string, actionId: string, args: unknown[]): Promise<string> {
  const origin = new URL(page.url()).origin;
  const response = await page.request.post(path, {
    headers: { "next-action": actionId, "content-type": "text/plain;charset=UTF-8", accept: "text/x-component", origin },
    data: JSON.stringify(args),
  });
  return response.text();
}

export async function switchTeam(page: Page, teamName: string): Promise<void> {
  await page.getByRole("button", { name: /Current team: .*Switch team/ }).click();
  await page.getByRole("menuitem", { name: teamName }).click();
  await expect(page.getByRole("button", { name: `Current team: ${teamName}. Switch team` })).toBeVisible();
}
