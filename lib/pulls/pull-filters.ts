import type { Prisma } from "@/lib/generated/prisma/client";
import { LICENSE_REFUSALS, type PullDenialReason } from "@/lib/licenses/decide-pull";
import type { ListPullsQuery, PullOutcome } from "@/lib/pulls/schemas";

// The filters of the Pulls page, the API list and the CSV export, in one
// place: which events are pulls, and what each outcome means.

export const DENIED_REASONS: readonly PullDenialReason[] = LICENSE_REFUSALS;

/** Which outcome an event had (success, or why it failed). */
export function outcomeOf(e: { status: number; reason: PullDenialReason | null }): PullOutcome {
  if (e.status < 400) return "success";
  if (e.reason && DENIED_REASONS.includes(e.reason)) return "denied";
  if (e.reason === "not_found") return "not_found";
  if (e.reason === "upstream_error") return "upstream_error";
  return "error";
}

export function outcomeWhere(outcome: PullOutcome): Prisma.PullEventWhereInput {
  switch (outcome) {
    case "success":
      return { status: { lt: 400 } };
    case "denied":
      return { status: { gte: 400 }, reason: { in: [...DENIED_REASONS] } };
    case "not_found":
      return { status: { gte: 400 }, reason: "not_found" };
    case "upstream_error":
      return { status: { gte: 400 }, reason: "upstream_error" };
    case "error":
      return { status: { gte: 400 }, reason: null };
  }
}

/** The team-scoped conditions of a list or export (without the cursor). */
export function pullEventWhere(teamId: string, query: Omit<ListPullsQuery, "cursor" | "limit">): Prisma.PullEventWhereInput[] {
  const and: Prisma.PullEventWhereInput[] = [{ teamId }];
  if ((query.kind ?? "pulls") === "pulls") and.push({ isPull: true });
  if (query.customerId) and.push({ customerId: query.customerId });
  if (query.appId) and.push({ appId: query.appId });
  if (query.image) and.push({ repository: { contains: query.image, mode: "insensitive" } });
  if (query.action) and.push({ action: query.action });
  if (query.outcome) and.push(outcomeWhere(query.outcome));
  if (query.reason) and.push({ reason: query.reason });
  if (query.since) and.push({ time: { gte: new Date(query.since) } });
  if (query.until) and.push({ time: { lte: new Date(query.until) } });
  return and;
}

