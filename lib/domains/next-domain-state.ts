import type { CustomDomain } from "@/lib/generated/prisma/client";
import type { DomainDnsCheck } from "@/lib/domains/check-domain-dns";

// How one DNS check changes a domain. Pure, so the rules (verify once, never
// un-verify, back off, give up after 72 hours) are easy to read and test.

export const GIVE_UP_AFTER_MS = 72 * 60 * 60 * 1000;
const MIN_RETRY_MS = 60 * 1000;
const MAX_RETRY_MS = 60 * 60 * 1000;

export type DomainStateUpdate = Pick<CustomDomain, "status" | "verifiedAt" | "lastCheckedAt" | "nextCheckAt" | "failureReason" | "cnameWarning">;

/**
 * Back-off without a counter: wait an eighth of the domain's age, between a
 * minute and an hour (checks every minute at first, hourly after 8 hours).
 */
export function nextCheckDelayMs(createdAt: Date, now: Date): number {
  const age = Math.max(0, now.getTime() - createdAt.getTime());
  return Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, Math.floor(age / 8)));
}

export function nextDomainState(domain: Pick<CustomDomain, "status" | "verifiedAt" | "createdAt">, check: DomainDnsCheck, now: Date): DomainStateUpdate {
  const base = { lastCheckedAt: now, cnameWarning: check.cnameWarning };
  // Ownership was proven once: a record removed later does not take the domain away.
  if (check.tokenFound || domain.status === "verified") {
    return { ...base, status: "verified", verifiedAt: domain.verifiedAt ?? now, nextCheckAt: null, failureReason: null };
  }
  const reason = check.reason ?? "The verification record was not found.";
  if (domain.status === "failed" || now.getTime() - domain.createdAt.getTime() >= GIVE_UP_AFTER_MS) {
    return { ...base, status: "failed", verifiedAt: null, nextCheckAt: null, failureReason: `Not verified within 72 hours. Last check: ${reason}` };
  }
  return { ...base, status: "pending", verifiedAt: null, nextCheckAt: new Date(now.getTime() + nextCheckDelayMs(domain.createdAt, now)), failureReason: reason };
}
