import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import Provider from "oidc-provider";
import { newVendor, signUp } from "./helpers";

// Single sign-on against a real OpenID Connect provider (the oidc-provider
// package) on loopback, over HTTPS with the certificate the e2e server trusts
// (e2e/start-server.sh): its development login form accepts any login, whose
// value becomes the account's email.

const CLIENT_SECRET = "e2e-client-secret-7f3a";

async function startProvider(redirectUri: string): Promise<{ issuer: string; close: () => Promise<void> }> {
  const tlsDir = path.join(process.env.E2E_DATA_DIR!, "e2e-tls");
  const server = https.createServer({ key: fs.readFileSync(path.join(tlsDir, "key.pem")), cert: fs.readFileSync(path.join(tlsDir, "cert.pem")) });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `https://localhost:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: "pullgate-e2e", client_secret: CLIENT_SECRET, redirect_uris: [redirectUri], response_types: ["code"], grant_types: ["authorization_code"] }],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    findAccount: async (_ctx, id) => ({
      accountId: id,
      claims: async () => ({ sub: id, email: id, email_verified: true, name: `SSO ${id.split("@")[0]}` }),
    }),
    cookies: { keys: ["e2e-cookie-key"] },
  });
  server.on("request", provider.callback());
  return { issuer, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test("sign-in through the team's OIDC provider lands in the team with the default role; an email outside the allowed domain is refused", async ({ browser }) => {
  test.setTimeout(180_000);
  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const vendor = { ...newVendor("sso-owner"), teamName: "SSO Corp" };
  await signUp(owner, vendor);
  await owner.goto("/settings/sso");
  const redirectUri = (await owner.getByTestId("sso-redirect-uri").textContent())!.trim();
  const signInUrl = (await owner.getByTestId("sso-sign-in-url").textContent())!.trim();
  const idp = await startProvider(redirectUri);
  try {
    await owner.getByLabel("Issuer URL").fill(idp.issuer);
    await owner.getByLabel("Client ID").fill("pullgate-e2e");
    await owner.getByLabel("Client secret").fill(CLIENT_SECRET);
    await owner.getByLabel("Allowed email domain").fill("sso-corp.test");
    await owner.getByLabel("Default role").selectOption("admin");
    await owner.getByRole("button", { name: "Save single sign-on" }).click();
    await expect(owner.getByText("Single sign-on saved.")).toBeVisible();

    const signInAs = async (login: string) => {
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      const page = await context.newPage();
      await page.goto(signInUrl);
      await page.locator('input[name="login"]').fill(login);
      await page.locator('input[name="password"]').fill("anything");
      await page.locator('button[type="submit"]').click();
      // The provider's consent step.
      await page.locator('button[type="submit"]').click();
      return { context, page };
    };

    const ann = await signInAs("ann@sso-corp.test");
    await expect(ann.page).toHaveURL(/\/dashboard$/);
    await expect(ann.page.getByRole("complementary")).toContainText("SSO CorpAdmin");
    await owner.goto("/settings/members");
    await expect(owner.getByLabel("Role of ann@sso-corp.test")).toHaveValue("admin");
    await ann.context.close();

    const mallory = await signInAs("mallory@elsewhere.test");
    await expect(mallory.page).toHaveURL(/\/signin\?notice=sso-domain$/);
    await expect(mallory.page.getByText("Single sign-on refused this account.")).toBeVisible();
    await mallory.context.close();
    await owner.goto("/settings/members");
    await expect(owner.getByText("mallory@elsewhere.test")).toHaveCount(0);
  } finally {
    await idp.close();
    await ownerContext.close();
  }
});
