import type { Prisma } from "@/lib/generated/prisma/client";
import { assertCanWrite, type Actor, type TeamRole } from "@/lib/auth/actor";
import { ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";

/**
 * Owners and admins manage members; only an owner may grant, change or take
 * away the owner role (an admin cannot promote themselves over the owner).
 */
export function assertCanManageRole(actor: Actor, ...roles: TeamRole[]): void {
  assertCanWrite(actor);
  if (actor.role !== "owner" && roles.includes("owner")) {
    throw new ForbiddenError("Only an owner can grant, change or remove the owner role.");
  }
}

/** A team always keeps at least one owner. */
export async function assertAnotherOwnerRemains(tx: Prisma.TransactionClient, teamId: string, membershipId: string): Promise<void> {
  const others = await tx.membership.count({ where: { teamId, role: "owner", id: { not: membershipId } } });
  if (others === 0) throw new ConflictError("A team needs at least one owner: make someone else an owner first.");
}

/**
 * A membership of the actor's team that the actor may change or remove: one
 * of another team is "not found", an owner's only an owner may touch.
 */
export async function findManageableMembership(tx: Prisma.TransactionClient, actor: Actor, membershipId: string) {
  const membership = await tx.membership.findFirst({
    where: { id: membershipId, teamId: actor.teamId },
    include: { user: { select: { email: true } } },
  });
  if (!membership) throw new NotFoundError("Member");
  assertCanManageRole(actor, membership.role);
  return membership;
}
