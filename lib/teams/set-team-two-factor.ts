import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { ForbiddenError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";
import { teamTwoFactorSchema, type TeamTwoFactorInput } from "@/lib/two-factor/schemas";

/**
 * Owners require (or stop requiring) two-factor sign-in for their team:
 * members without it are sent to set it up before any page of the team.
 */
export async function setTeamTwoFactor(actor: Actor, input: TeamTwoFactorInput): Promise<void> {
  const { requireTwoFactor } = parseOrThrow(teamTwoFactorSchema, input);
  if (actor.role !== "owner") throw new ForbiddenError("Only an owner can change whether the team requires two-factor sign-in.");
  await prisma.$transaction(async (tx) => {
    const team = await tx.team.findUniqueOrThrow({ where: { id: actor.teamId }, select: { name: true, requireTwoFactor: true } });
    if (team.requireTwoFactor === requireTwoFactor) return;
    await tx.team.update({ where: { id: actor.teamId }, data: { requireTwoFactor } });
    await recordAuditEvent(tx, {
      actor,
      action: "team.require_two_factor",
      targetType: "team",
      targetId: actor.teamId,
      targetName: team.name,
      before: { requireTwoFactor: team.requireTwoFactor },
      after: { requireTwoFactor },
    });
  });
}
