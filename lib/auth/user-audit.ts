import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";

/**
 * An event about an account itself (password reset, two-factor changes): the
 * audit log is per team, so it is written to each team the account belongs to,
 * with the account as the actor.
 */
export async function recordUserAuditEvent(
  tx: Prisma.TransactionClient,
  user: { id: string; email: string },
  action: string,
  after?: Record<string, unknown>,
): Promise<void> {
  const memberships = await tx.membership.findMany({ where: { userId: user.id }, select: { teamId: true, role: true } });
  for (const m of memberships) {
    await recordAuditEvent(tx, {
      actor: { teamId: m.teamId, userId: user.id, tokenId: null, role: m.role, label: user.email },
      action,
      targetType: "user",
      targetId: user.id,
      targetName: user.email,
      after: after ?? null,
    });
  }
}
