import type { CustomDomain } from "@/lib/generated/prisma/client";
import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { getDomain } from "@/lib/domains/get-domain";

/** Removes a domain; the proxy stops serving it within a second (change notification). */
export async function removeDomain(actor: Actor, domainId: string): Promise<CustomDomain> {
  assertCanWrite(actor);
  return prisma.$transaction(async (tx) => {
    const domain = await getDomain(actor, domainId, tx);
    await tx.customDomain.delete({ where: { id: domain.id } });
    await recordAuditEvent(tx, {
      actor,
      action: "domain.delete",
      targetType: "domain",
      targetId: domain.id,
      targetName: domain.hostname,
      before: { hostname: domain.hostname, appId: domain.appId, status: domain.status, isDefault: domain.isDefault },
    });
    return domain;
  });
}
