import type { PrismaClient } from "@/lib/generated/prisma/client";
import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { insertSigningKey } from "@/lib/signing-keys/team-signing-key";

/**
 * Makes a new current signing key. The old one stops signing but stays
 * published until the last of the team's licenses it may have signed expires
 * (forever while any license never expires), so files already handed out keep
 * verifying.
 */
export async function rotateSigningKey(db: PrismaClient, actor: Actor, now = new Date()): Promise<{ kid: string }> {
  assertCanWrite(actor);
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext(${`pullgate:signing-key:${actor.teamId}`}))::text`;
    const [never, latest] = await Promise.all([
      tx.license.count({ where: { teamId: actor.teamId, expiresAt: null } }),
      tx.license.aggregate({ where: { teamId: actor.teamId }, _max: { expiresAt: true } }),
    ]);
    const publishedUntil = never > 0 ? null : (latest._max.expiresAt ?? now);
    const retired = await tx.signingKey.updateMany({ where: { teamId: actor.teamId, retiredAt: null }, data: { retiredAt: now, publishedUntil } });
    const key = await insertSigningKey(tx, actor.teamId);
    await recordAuditEvent(tx, {
      actor,
      action: "signing_key.rotate",
      targetType: "team",
      targetId: actor.teamId,
      targetName: key.kid,
      after: { kid: key.kid, retiredKeys: retired.count, oldKeysPublishedUntil: publishedUntil?.toISOString() ?? "never" },
    });
    return { kid: key.kid };
  });
}
