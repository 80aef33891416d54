import { expect, test, type Page } from "@playwright/test";
import { newVendor, signUp } from "./helpers";
import { callServerAction, captureServerActionId, createApp, createCustomer, uniqueName } from "./portal-helpers";

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

const ARCHIVE_TEXT =
  "Archiving a customer cuts their registry access immediately (unlike Replicated, where archived customers can still pull). Unarchive restores it.";

/** The value of a datetime-local input `days` from now, in the browser's (= this machine's) time zone. */
function localDateTime(daysAhead: number): string {
  const d = new Date(Date.now() + daysAhead * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

async function readClipboard(page: Page): Promise<string> {
  return page.evaluate(() => navigator.clipboard.readText());
}

// The proxy host the e2e server was started with (e2e/start-server.sh).
const proxyHost = process.env.E2E_PROXY_PUBLIC_HOST || `localhost:${process.env.E2E_PROXY_PORT || 5150}`;

const status = (page: Page) => page.getByTestId("license-status").first();

test("a vendor creates an app and a customer, sets an expiry, toggles access, archives, copies the pull secret and finds it by license ID", async ({ page }) => {
  test.setTimeout(180_000);
  const vendor = newVendor("customers");
  await signUp(page, vendor);

  // Apps: the empty state says what to do; the slug is suggested live from the name.
  await page.getByRole("link", { name: "Apps", exact: true }).first().click();
  await expect(page.getByText("No apps yet")).toBeVisible();
  await page.getByRole("link", { name: "New app" }).click();
  const appName = uniqueName("Acme Platform");
  await page.getByLabel("Name", { exact: true }).fill(appName);
  const suggested = appName.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  await expect(page.getByLabel("Slug", { exact: true })).toHaveValue(suggested);
  await page.getByRole("button", { name: "Create app" }).click();
  await expect(page.getByRole("heading", { name: appName, level: 1 })).toBeVisible();
  const appId = new URL(page.url()).pathname.split("/").pop()!;
  await expect(page.getByText("No customers yet")).toBeVisible();

  // A taken slug is a clear field error, nothing else is written.
  await page.goto("/apps/new");
  await page.getByLabel("Name", { exact: true }).fill("Another app");
  await page.getByLabel("Slug", { exact: true }).fill(suggested);
  await page.getByRole("button", { name: "Create app" }).click();
  await expect(page.getByText(`The slug "${suggested}" is already taken. Choose another.`)).toBeVisible();
  await page.goto("/apps");
  await expect(page.getByRole("link", { name: new RegExp(appName) })).toHaveCount(1);
  await expect(page.getByText("0 customers")).toBeVisible();
  await page.getByRole("link", { name: new RegExp(appName) }).click();

  // Create a customer with an image pattern and an entitlement; bad input first.
  await page.getByRole("link", { name: "New customer" }).click();
  await page.getByLabel(/^Email/).fill("not-an-email");
  await page.getByRole("button", { name: "Create customer" }).click();
  await expect(page.getByText("Name is required.")).toBeVisible();
  await expect(page.getByText("Must be a valid email address.")).toBeVisible();
  await expect(page.getByLabel("Name", { exact: true })).toHaveAttribute("aria-invalid", "true");

  const customerName = uniqueName("Globex");
  const email = `ops-${Date.now().toString(36)}@globex.example`;
  await page.getByLabel("Name", { exact: true }).fill(customerName);
  await page.getByLabel(/^Email/).fill(email);
  await page.getByLabel(/^Custom ID/).fill("CRM-1042");
  await page.getByRole("button", { name: "Add image pattern" }).click();
  await page.getByLabel("Image pattern 1", { exact: true }).fill("acme/*");
  await page.getByRole("button", { name: "Add entitlement" }).click();
  await page.getByLabel("Entitlement 1 name", { exact: true }).fill("seats");
  await page.getByLabel("Entitlement 1 type", { exact: true }).selectOption("number");
  await page.getByLabel("Entitlement 1 value", { exact: true }).fill("25");
  await page.getByRole("button", { name: "Create customer" }).click();
  await expect(page.getByRole("heading", { name: customerName, level: 1 })).toBeVisible();
  const customerUrl = page.url();
  await expect(status(page)).toHaveText("Active");
  const licenseId = (await page.getByTestId("license-id").textContent())!.trim();
  expect(licenseId).toMatch(/^[0-9A-Za-z]{27}$/);
  await expect(page.getByText("acme/*")).toBeVisible();
  await expect(page.getByText("seats")).toBeVisible();

  // The license ID copies to the clipboard.
  await page.getByRole("button", { name: "Copy license ID" }).click();
  await expect.poll(() => readClipboard(page)).toBe(licenseId);

  // Set an expiry 10 days ahead: the badge says so.
  await page.getByRole("link", { name: "Edit" }).click();
  await page.getByLabel("Expiry date and time").fill(localDateTime(10));
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page).toHaveURL(customerUrl);
  await expect(status(page)).toHaveText("Expires in 10 days");

  // Registry access off, then on again.
  await page.getByRole("switch", { name: "Registry access" }).click();
  await expect(status(page)).toHaveText("Access off");
  await expect(page.getByTestId("registry-access-state")).toHaveText("Off");
  await page.reload();
  await expect(status(page)).toHaveText("Access off");
  await page.getByRole("switch", { name: "Registry access" }).click();
  await expect(status(page)).toHaveText("Expires in 10 days");
  await expect(page.getByTestId("registry-access-state")).toHaveText("On");

  // Archive (the dialog explains it cuts access, unlike Replicated), then unarchive.
  await expect(page.getByText(ARCHIVE_TEXT)).toBeVisible();
  await page.getByRole("button", { name: "Archive", exact: true }).click();
  await expect(page.getByRole("alertdialog")).toContainText(ARCHIVE_TEXT);
  await page.getByRole("button", { name: "Archive customer" }).click();
  await expect(status(page)).toHaveText("Archived");
  await expect(page.getByText(/Pulls with this license are refused/)).toBeVisible();
  await page.getByRole("button", { name: "Unarchive" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Unarchive" }).click();
  await expect(status(page)).toHaveText("Expires in 10 days");

  // Install page: docker login, Secret, .dockerconfigjson, Helm values, image rewriter.
  await page.getByRole("link", { name: "Install", exact: true }).click();
  await expect(page).toHaveURL(`${customerUrl}/install`);
  await expect(page.getByText(`docker login ${proxyHost} -u ${email} -p ${licenseId}`)).toBeVisible();
  await page.getByRole("button", { name: "Copy Kubernetes Secret" }).click();
  const secretYaml = await readClipboard(page);
  expect(secretYaml).toContain("kind: Secret");
  expect(secretYaml).toContain("type: kubernetes.io/dockerconfigjson");
  const encoded = /\.dockerconfigjson: (\S+)/.exec(secretYaml)?.[1];
  expect(encoded).toBeTruthy();
  const dockerConfig = JSON.parse(Buffer.from(encoded!, "base64").toString("utf8")) as { auths: Record<string, { auth: string }> };
  expect(Buffer.from(dockerConfig.auths[proxyHost]!.auth, "base64").toString("utf8")).toBe(`${email}:${licenseId}`);
  await page.getByRole("button", { name: "Copy .dockerconfigjson" }).click();
  expect(JSON.parse(await readClipboard(page))).toEqual(dockerConfig);
  await page.getByRole("button", { name: "Copy Helm values" }).click();
  expect(await readClipboard(page)).toContain("imagePullSecrets:");

  // No registry is linked yet: the install page says so, and the rewriter never invents a path that cannot pull.
  await expect(page.getByText("No registry linked for this app")).toBeVisible();
  const image = page.getByLabel("Image reference");
  await expect(image).toHaveValue("");
  await image.fill("nginx");
  await expect(page.getByTestId("rewrite-error")).toContainText("Docker Hub is not linked by your team");
  await image.fill("ghcr.io/acme/api:1.2.0");
  await expect(page.getByTestId("rewrite-error")).toContainText("ghcr.io is not a registry your team linked");
  await expect(page.getByTestId("rewritten-image")).toHaveText("");
  await image.fill("ghcr.io/acme/api@sha256:nothex");
  await expect(page.getByText(/is not a valid digest/)).toBeVisible();

  // A second customer, then the list: search by license ID finds exactly ours; the URL keeps the state.
  await createCustomer(page, appId, { name: uniqueName("Initech") });
  await page.getByRole("link", { name: "Customers", exact: true }).first().click();
  await expect(page.getByRole("link", { name: customerName })).toBeVisible();
  await expect(page.getByRole("link", { name: /^Initech/ })).toBeVisible();
  await page.getByLabel("Search customers").fill(licenseId);
  await expect(page).toHaveURL(new RegExp(`[?&]q=${licenseId}`));
  await expect(page.getByRole("link", { name: /^Initech/ })).toHaveCount(0);
  await expect(page.getByRole("link", { name: customerName })).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: customerName }).getByTestId("license-status")).toHaveText("Expires in 10 days");
  // The rows come with the page: loading it does not ask the API for the same rows again.
  const listRequests: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/api/portal/customers")) listRequests.push(r.url());
  });
  await page.reload();
  await expect(page.getByLabel("Search customers")).toHaveValue(licenseId);
  await expect(page.getByRole("link", { name: customerName })).toBeVisible();
  await page.waitForLoadState("networkidle");
  expect(listRequests).toEqual([]);
  // A status filter that excludes it.
  await page.getByLabel("Status").selectOption("archived");
  await expect(page).toHaveURL(/status=archived/);
  await expect(page.getByText("No customers match")).toBeVisible();

  // The audit log recorded the changes, without the license ID.
  await page.goto("/audit?targetType=customer");
  await expect(page.getByRole("cell", { name: "customer.archive", exact: true })).toBeVisible();
  await expect(page.getByRole("cell", { name: "customer.unarchive", exact: true })).toBeVisible();
  await expect(page.locator("main")).not.toContainText(licenseId);
});

test("another team's customer is not found through pages, the list route and server actions", async ({ browser }) => {
  test.setTimeout(180_000);
  const a = await browser.newContext();
  const b = await browser.newContext();
  const pageA = await a.newPage();
  const pageB = await b.newPage();

  await signUp(pageA, { ...newVendor("team-a"), teamName: "Team A" });
  const appA = await createApp(pageA, uniqueName("A app"));
  const secretName = uniqueName("A secret customer");
  const customerA = await createCustomer(pageA, appA.id, { name: secretName });

  await signUp(pageB, { ...newVendor("team-b"), teamName: "Team B" });
  for (const path of [`/customers/${customerA.id}`, `/customers/${customerA.id}/install`, `/customers/${customerA.id}/edit`, `/apps/${appA.id}`]) {
    const response = await pageB.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(pageB.getByText("Page not found")).toBeVisible();
    await expect(pageB.locator("body")).not.toContainText(secretName);
    await expect(pageB.locator("body")).not.toContainText(customerA.licenseId);
  }

  // The list route searches only B's team, even by A's exact license ID.
  const list = await pageB.request.get(`/api/portal/customers?q=${customerA.licenseId}`);
  expect(list.status()).toBe(200);
  expect(((await list.json()) as { total: number }).total).toBe(0);

  // B's own customer page gives B the server action ids; replayed with A's ids they change nothing.
  const appB = await createApp(pageB, uniqueName("B app"));
  const customerB = await createCustomer(pageB, appB.id, { name: uniqueName("B customer") });
  const accessAction = await captureServerActionId(pageB, () => pageB.getByRole("switch", { name: "Registry access" }).click());
  await expect(status(pageB)).toHaveText("Access off");
  const refused = await callServerAction(pageB, `/customers/${customerB.id}`, accessAction, [customerA.id, false]);
  expect(refused).toContain("Customer not found.");
  expect(refused).not.toContain(secretName);

  await pageB.getByRole("button", { name: "Archive", exact: true }).click();
  const archiveAction = await captureServerActionId(pageB, () => pageB.getByRole("button", { name: "Archive customer" }).click());
  await expect(status(pageB)).toHaveText("Archived");
  expect(await callServerAction(pageB, `/customers/${customerB.id}`, archiveAction, [customerA.id, true])).toContain("Customer not found.");

  await pageA.goto(`/customers/${customerA.id}`);
  await expect(status(pageA)).toHaveText("Active");
  await expect(pageA.getByTestId("registry-access-state")).toHaveText("On");

  await a.close();
  await b.close();
});
