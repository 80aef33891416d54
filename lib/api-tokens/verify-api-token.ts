import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { hashApiToken, parseApiToken } from "@/lib/api-tokens/token-format";

// Recording every use would turn each API read into a write; once a minute
// is precise enough for "last used" and keeps hot tokens cheap.
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * The Actor for a raw bearer token, or null when it is malformed, unknown or
 * revoked. The token acts with its creator's current role in the team; if the
 * creator's account was deleted the token keeps working as "admin" (it was
 * made by an owner/admin-capable user and the team still holds it), but if the
 * creator was removed from the team the token stops working.
 */
export async function verifyApiToken(raw: string): Promise<Actor | null> {
  if (!parseApiToken(raw)) return null;
  const apiToken = await prisma.apiToken.findUnique({
    where: { tokenHash: hashApiToken(raw.trim()) },
    select: { id: true, teamId: true, name: true, createdById: true, revokedAt: true, lastUsedAt: true },
  });
  if (!apiToken || apiToken.revokedAt) return null;

  let role: Actor["role"] = "admin";
  if (apiToken.createdById) {
    const membership = await prisma.membership.findUnique({
      where: { userId_teamId: { userId: apiToken.createdById, teamId: apiToken.teamId } },
      select: { role: true },
    });
    if (!membership) return null;
    role = membership.role;
  }

  const now = Date.now();
  if (!apiToken.lastUsedAt || now - apiToken.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    // Conditional so concurrent requests write at most once per minute.
    await prisma.apiToken.updateMany({
      where: {
        id: apiToken.id,
        OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now - LAST_USED_RESOLUTION_MS) } }],
      },
      data: { lastUsedAt: new Date(now) },
    });
  }

  return {
    teamId: apiToken.teamId,
    userId: apiToken.createdById,
    tokenId: apiToken.id,
    role,
    label: `API token ${apiToken.name}`,
  };
}
