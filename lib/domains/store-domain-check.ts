import { Prisma, type CustomDomain } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { checkDomainDns, type DomainDnsCheck } from "@/lib/domains/check-domain-dns";
import type { DomainResolver } from "@/lib/domains/dns-resolver";
import { defaultProxyHostName } from "@/lib/domains/host-name";
import { nextDomainState, type DomainStateUpdate } from "@/lib/domains/next-domain-state";
import { domainCheckActor } from "@/lib/domains/system-actor";

// Several teams may claim one hostname; only proof of the TXT record decides.
// The first claim to verify gets the name (a partial unique index keeps one
// verified row per hostname, even when two verify at the same moment), and
// the other teams' pending claims for it are closed with the reason.

export const CLAIMED_ELSEWHERE_REASON =
  "Another team proved ownership of this hostname first, so this claim is closed. If the hostname is yours, check who controls its DNS records.";

export type StoreDomainCheckOptions = {
  actor: Actor;
  resolver: DomainResolver;
  now: Date;
  /** Audit the check even when the status did not change (a person pressed "Verify now"). */
  auditEveryCheck: boolean;
};

type Tx = Prisma.TransactionClient;

/** Runs one DNS check for a domain, stores the outcome, and audits it. Returns the updated row (null if it was removed meanwhile). */
export async function storeDomainCheck(domain: CustomDomain, options: StoreDomainCheckOptions): Promise<CustomDomain | null> {
  const check = await checkDomainDns(options.resolver, domain.hostname, domain.verificationToken, defaultProxyHostName());
  const next = nextDomainState(domain, check, options.now);
  try {
    return await store(domain, next, check, options);
  } catch (err) {
    // Another team's claim verified at the same moment and committed first (the partial unique index).
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") return store(domain, closedState(check, options.now), check, options);
    throw err;
  }
}

function closedState(check: Pick<DomainDnsCheck, "cnameWarning">, now: Date): DomainStateUpdate {
  return { status: "failed", verifiedAt: null, lastCheckedAt: now, nextCheckAt: null, failureReason: CLAIMED_ELSEWHERE_REASON, cnameWarning: check.cnameWarning };
}

async function store(domain: CustomDomain, next: DomainStateUpdate, check: DomainDnsCheck, options: StoreDomainCheckOptions): Promise<CustomDomain | null> {
  return prisma.$transaction(async (tx) => {
    // Claims of one hostname are decided one at a time (two verifying at once
    // would otherwise each wait on the other's row).
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`pullgate:domain:${domain.hostname}`}, 0))`;
    // A claim that is not verified loses to a verified one of another team, whatever DNS says now.
    if (domain.status !== "verified" && (await verifiedElsewhere(tx, domain))) next = closedState(check, options.now);
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
    if (statusChanged && updated.status === "verified") await closeOtherClaims(tx, updated, options.now);
    return updated;
  });
}

async function verifiedElsewhere(tx: Tx, domain: CustomDomain): Promise<boolean> {
  const row = await tx.customDomain.findFirst({ where: { hostname: domain.hostname, status: "verified", id: { not: domain.id } }, select: { id: true } });
  return row !== null;
}

/** The other teams' pending claims for a hostname just verified: closed, with the reason, in their audit logs. */
async function closeOtherClaims(tx: Tx, winner: CustomDomain, now: Date): Promise<void> {
  const others = await tx.customDomain.findMany({
    where: { hostname: winner.hostname, status: "pending", id: { not: winner.id } },
    select: { id: true, teamId: true, hostname: true },
  });
  for (const other of others) {
    const { count } = await tx.customDomain.updateMany({
      where: { id: other.id, status: "pending" },
      data: { status: "failed", nextCheckAt: null, lastCheckedAt: now, failureReason: CLAIMED_ELSEWHERE_REASON },
    });
    if (count === 0) continue;
    await recordAuditEvent(tx, {
      actor: domainCheckActor(other.teamId),
      action: "domain.verify",
      targetType: "domain",
      targetId: other.id,
      targetName: other.hostname,
      before: { status: "pending" },
      after: { status: "failed", failureReason: CLAIMED_ELSEWHERE_REASON },
    });
  }
}
