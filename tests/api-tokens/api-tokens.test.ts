import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { prisma } from "@/lib/db/client";
import { createVendor } from "@/lib/teams/create-vendor";
import { createApiToken } from "@/lib/api-tokens/create-api-token";
import { verifyApiToken } from "@/lib/api-tokens/verify-api-token";
import { revokeApiToken } from "@/lib/api-tokens/revoke-api-token";
import { hashApiToken } from "@/lib/api-tokens/token-format";
import { NotFoundError } from "@/lib/errors";

async function vendor() {
  return createVendor({ email: `tok-${randomUUID().slice(0, 8)}@example.com`, password: "s3cret-pass", teamName: "T" });
}

describe("API tokens", () => {
  it("stores only a hash and authenticates as the creator's role", async () => {
    const { user, team } = await vendor();
    const { token, apiToken } = await createApiToken({ teamId: team.id, createdById: user.id, name: "ci" });
    expect(token).toMatch(/^pgt_[0-9A-Za-z]{8}_[0-9A-Za-z]{40}$/);
    expect(token.startsWith(apiToken.prefix + "_")).toBe(true);
    expect(apiToken).not.toHaveProperty("tokenHash");
    const row = await prisma.apiToken.findUniqueOrThrow({ where: { id: apiToken.id } });
    expect(row.tokenHash).toBe(hashApiToken(token));
    expect(JSON.stringify(row)).not.toContain(token);

    const actor = await verifyApiToken(token);
    expect(actor).toEqual({ teamId: team.id, userId: user.id, tokenId: apiToken.id, role: "owner", label: "API token ci" });
  });

  it("rejects malformed, unknown and revoked tokens", async () => {
    const { user, team } = await vendor();
    const { token, apiToken } = await createApiToken({ teamId: team.id, createdById: user.id, name: "x" });
    expect(await verifyApiToken("garbage")).toBeNull();
    expect(await verifyApiToken(token.slice(0, -1) + (token.endsWith("a") ? "b" : "a"))).toBeNull();

    const actor = (await verifyApiToken(token))!;
    const other = await vendor();
    const otherActor = { teamId: other.team.id, userId: other.user.id, tokenId: null, role: "owner" as const, label: "x" };
    await expect(revokeApiToken(otherActor, apiToken.id)).rejects.toBeInstanceOf(NotFoundError);
    await revokeApiToken(actor, apiToken.id);
    expect(await verifyApiToken(token)).toBeNull();
  });

  it("acts as admin when the creator was deleted and updates lastUsedAt at most once a minute", async () => {
    const { user, team } = await vendor();
    const { token, apiToken } = await createApiToken({ teamId: team.id, createdById: user.id, name: "orphan" });
    await verifyApiToken(token);
    const first = (await prisma.apiToken.findUniqueOrThrow({ where: { id: apiToken.id } })).lastUsedAt;
    expect(first).toBeInstanceOf(Date);
    await verifyApiToken(token);
    const second = (await prisma.apiToken.findUniqueOrThrow({ where: { id: apiToken.id } })).lastUsedAt;
    expect(second?.getTime()).toBe(first?.getTime());

    await prisma.user.delete({ where: { id: user.id } });
    expect((await verifyApiToken(token))?.role).toBe("admin");
  });
});
