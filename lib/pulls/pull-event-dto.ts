import type { PullEvent } from "@/lib/generated/prisma/client";
import type { PullDenialReason } from "@/lib/licenses/decide-pull";
import { outcomeOf } from "@/lib/pulls/pull-filters";
import type { PullOutcome } from "@/lib/pulls/schemas";

export type PullEventDto = {
  id: string;
  time: string;
  appId: string | null;
  customerId: string | null;
  customerName: string | null;
  action: string;
  method: string;
  repository: string;
  reference: string | null;
  digest: string | null;
  /** The tag pulled (for a GET by digest, the tag the same client resolved to it). */
  tag: string | null;
  status: number;
  /** One pull by the counting rule (README "Pull figures"); false for the other requests of a pull. */
  isPull: boolean;
  outcome: PullOutcome;
  reason: PullDenialReason | null;
  bytes: number;
  cacheHit: boolean;
  clientIp: string | null;
  userAgent: string | null;
  durationMs: number;
  /** Host and cause when the vendor's registry failed this request (the customer saw only "unreachable"). */
  upstreamError: string | null;
};

// The license ID is deliberately absent: it is the customer's credential.
export function toPullEventDto(e: PullEvent & { customer?: { name: string } | null }): PullEventDto {
  return {
    id: e.id.toString(),
    time: e.time.toISOString(),
    appId: e.appId,
    customerId: e.customerId,
    customerName: e.customer?.name ?? null,
    action: e.action,
    method: e.method,
    repository: e.repository,
    reference: e.reference,
    digest: e.digest,
    tag: e.tag,
    status: e.status,
    isPull: e.isPull,
    outcome: outcomeOf(e),
    reason: e.reason,
    bytes: Number(e.bytes),
    cacheHit: e.cacheHit,
    clientIp: e.clientIp,
    userAgent: e.userAgent,
    durationMs: e.durationMs,
    upstreamError: e.upstreamError,
  };
}
