import { prisma } from "@/lib/db/client";
import { createDomainResolver, type DomainResolver } from "@/lib/domains/dns-resolver";
import { storeDomainCheck } from "@/lib/domains/store-domain-check";
import { domainCheckActor } from "@/lib/domains/system-actor";

// The background half of verification: pending domains whose next check is
// due are checked again (with back-off, see next-domain-state.ts) until they
// verify or 72 hours pass. Each domain is claimed by moving its nextCheckAt
// first, so two processes running this never check the same domain twice.

const CLAIM_MS = 2 * 60 * 1000;

export type RecheckResult = { checked: number; verified: number; failed: number };

export type RecheckOptions = {
  /** The clock (tests move it forward). */
  now?: Date;
  resolver?: DomainResolver;
  limit?: number;
  /** Only this team's domains (default: every team). */
  teamId?: string;
};

export async function recheckPendingDomains(options: RecheckOptions = {}): Promise<RecheckResult> {
  const now = options.now ?? new Date();
  const resolver = options.resolver ?? createDomainResolver();
  const due = await prisma.customDomain.findMany({
    where: { status: "pending", ...(options.teamId ? { teamId: options.teamId } : {}), OR: [{ nextCheckAt: null }, { nextCheckAt: { lte: now } }] },
    orderBy: { nextCheckAt: "asc" },
    take: options.limit ?? 25,
  });
  const result: RecheckResult = { checked: 0, verified: 0, failed: 0 };
  for (const domain of due) {
    const claimed = await prisma.customDomain.updateMany({
      where: { id: domain.id, status: "pending", nextCheckAt: domain.nextCheckAt },
      data: { nextCheckAt: new Date(now.getTime() + CLAIM_MS) },
    });
    if (claimed.count === 0) continue;
    const updated = await storeDomainCheck(domain, { actor: domainCheckActor(domain.teamId), resolver, now, auditEveryCheck: false });
    if (!updated) continue;
    result.checked++;
    if (updated.status === "verified") result.verified++;
    if (updated.status === "failed") result.failed++;
  }
  return result;
}
