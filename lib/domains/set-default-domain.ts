import type { CustomDomain } from "@/lib/generated/prisma/client";
import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { ConflictError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { getDomain } from "@/lib/domains/get-domain";

/**
 * Makes a verified domain the team's default (pull secrets, install snippets
 * and the image rewriter put it first), or clears it with `isDefault: false`.
 * One default per team: the team row is locked so concurrent calls serialize.
 */
export async function setDefaultDomain(actor: Actor, domainId: string, isDefault = true): Promise<CustomDomain> {
  assertCanWrite(actor);
  return prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Team" WHERE id = ${actor.teamId} FOR UPDATE`;
    const domain = await getDomain(actor, domainId, tx);
    if (isDefault && domain.status !== "verified") throw new ConflictError("Only a verified domain can be the default: verify it first.");
    if (domain.isDefault === isDefault) return domain;
    const previous = isDefault
      ? await tx.customDomain.findFirst({ where: { teamId: actor.teamId, isDefault: true }, select: { id: true, hostname: true } })
      : null;
    if (isDefault) await tx.customDomain.updateMany({ where: { teamId: actor.teamId, isDefault: true }, data: { isDefault: false } });
    const updated = await tx.customDomain.update({ where: { id: domain.id }, data: { isDefault } });
    await recordAuditEvent(tx, {
      actor,
      action: isDefault ? "domain.set_default" : "domain.unset_default",
      targetType: "domain",
      targetId: domain.id,
      targetName: domain.hostname,
      before: { isDefault: domain.isDefault, ...(previous ? { previousDefault: previous.hostname } : {}) },
      after: { isDefault },
    });
    return updated;
  });
}
