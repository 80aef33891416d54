import type { CustomDomain } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { checkDomainDns } from "@/lib/domains/check-domain-dns";
import type { DomainResolver } from "@/lib/domains/dns-resolver";
import { defaultProxyHostName } from "@/lib/domains/host-name";
import { nextDomainState } from "@/lib/domains/next-domain-state";

export type StoreDomainCheckOptions = {
  actor: Actor;
  resolver: DomainResolver;
  now: Date;
  /** Audit the check even when the status did not change (a person pressed "Verify now"). */
  auditEveryCheck: boolean;
};

/** Runs one DNS check for a domain, stores the outcome, and audits it. Returns the updated row (null if it was removed meanwhile). */
export async function storeDomainCheck(domain: CustomDomain, options: StoreDomainCheckOptions): Promise<CustomDomain | null> {
  const check = await checkDomainDns(options.resolver, domain.hostname, domain.verificationToken, defaultProxyHostName());
  const next = nextDomainState(domain, check, options.now);
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.customDomain.updateMany({ where: { id: domain.id, teamId: domain.teamId }, data: next });
    if (count === 0) return null;
    const updated = await tx.customDomain.findUniqueOrThrow({ where: { id: domain.id } });
    const statusChanged = updated.status !== domain.status;
    if (statusChanged || options.auditEveryCheck) {
      await recordAuditEvent(tx, {
        actor: options.actor,
        action: "domain.verify",
        targetType: "domain",
        targetId: domain.id,
        targetName: domain.hostname,
        before: { status: domain.status },
        after: { status: updated.status, failureReason: updated.failureReason, cnameWarning: updated.cnameWarning },
      });
    }
    return updated;
  });
}
