import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import * as appsRoute from "@/app/api/v1/apps/route";
import * as customersRoute from "@/app/api/v1/customers/route";
import * as licenseFileRoute from "@/app/api/v1/customers/[id]/license-file/route";
import * as signingKeysRoute from "@/app/api/v1/signing-keys/route";
import * as webhooksRoute from "@/app/api/v1/webhooks/route";
import { prisma } from "@/lib/db/client";
import { decryptSecret, loadKeyring } from "@/lib/secrets/crypto";
import { reencryptLicenseSecrets } from "@/lib/secrets/reencrypt-license-secrets";
import { call, makeTeam } from "../api/fixtures";

// `pullgate keys rotate` re-seals the license signing keys and webhook
// secrets too; the keys themselves stay, so files keep verifying.

process.env.PULLGATE_SECRET_KEY ||= randomBytes(32).toString("base64");
process.env.PULLGATE_UPSTREAM_ALLOW_CIDRS = "127.0.0.1/32";

describe("key rotation of license secrets", () => {
  it("re-seals signing keys and webhook secrets with the new key, keeping the keys", async () => {
    const team = await makeTeam("Rotate secrets");
    const appId = (await call(appsRoute.POST, "POST", { token: team.token, body: { name: "R", slug: `r-${randomUUID().slice(0, 8)}` } })).json.app.id;
    const customer = (await call(customersRoute.POST, "POST", { token: team.token, body: { appId, name: "Rotated" } })).json.customer;
    const before = (await call(licenseFileRoute.GET, "GET", { token: team.token, params: { id: customer.id } })).text;
    const hook = await call(webhooksRoute.POST, "POST", { token: team.token, body: { url: "http://127.0.0.1:9/x", events: ["license.created"] } });
    expect(hook.status).toBe(201);

    const oldKey = process.env.PULLGATE_SECRET_KEY!;
    const newKey = randomBytes(32).toString("base64");
    const rotated = loadKeyring({ PULLGATE_SECRET_KEY: newKey, PULLGATE_SECRET_KEY_PREVIOUS: oldKey });
    const result = await reencryptLicenseSecrets(prisma, rotated);
    expect(result.signingKeys.reencrypted).toBeGreaterThanOrEqual(1);
    expect(result.webhooks.reencrypted).toBeGreaterThanOrEqual(1);
    const newOnly = loadKeyring({ PULLGATE_SECRET_KEY: newKey });
    const key = await prisma.signingKey.findFirstOrThrow({ where: { teamId: team.teamId } });
    expect(key.secretKeyVersion).toBe(2);
    expect(JSON.parse(decryptSecret(key.privateKeyCiphertext, newOnly)).d).toEqual(expect.any(String));
    const endpoint = await prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: hook.json.webhook.id } });
    expect(decryptSecret(endpoint.secretCiphertext, newOnly)).toBe(hook.json.secret);
    expect((await reencryptLicenseSecrets(prisma, rotated)).signingKeys.reencrypted).toBe(0);

    // Back to the process key; the same key pair still signs and verifies.
    await reencryptLicenseSecrets(prisma, loadKeyring({ PULLGATE_SECRET_KEY: oldKey, PULLGATE_SECRET_KEY_PREVIOUS: newKey }));
    const after = (await call(licenseFileRoute.GET, "GET", { token: team.token, params: { id: customer.id } })).text;
    expect(decodeProtectedHeader(after).kid).toBe(decodeProtectedHeader(before).kid);
    const jwks = createLocalJWKSet((await call(signingKeysRoute.GET, "GET", { token: team.token })).json);
    await expect(jwtVerify(before, jwks)).resolves.toBeTruthy();
  });
});
