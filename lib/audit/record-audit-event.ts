import type { Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { toAuditJson } from "@/lib/audit/sanitize";

export type AuditTargetType = "app" | "customer" | "license" | "member" | "api_token" | "registry" | "domain" | "team" | "invitation" | "user" | "webhook";

export type AuditEventInput = {
  actor: Actor;
  /** Dotted verb, e.g. "app.create", "customer.archive", "api_token.revoke". */
  action: string;
  targetType: AuditTargetType;
  targetId?: string | null;
  targetName?: string | null;
  /** Summary of the changed fields only (see diffFields); secret-like keys are stripped. */
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
};

/**
 * Records who changed what. Call it with the transaction client of the change
 * itself so the event exists exactly when the change does.
 */
export async function recordAuditEvent(tx: Prisma.TransactionClient, input: AuditEventInput): Promise<void> {
  await tx.auditEvent.create({
    data: {
      teamId: input.actor.teamId,
      actorId: input.actor.userId ?? input.actor.tokenId,
      actorLabel: input.actor.label,
      action: input.action,
      targetType: input.targetType,
      targetId: input.targetId ?? null,
      targetName: input.targetName ?? null,
      before: summary(input.before),
      after: summary(input.after),
    },
  });
}

function summary(value: Record<string, unknown> | null | undefined): Prisma.InputJsonValue | undefined {
  if (value === null || value === undefined) return undefined;
  return toAuditJson(value) as Prisma.InputJsonValue;
}
