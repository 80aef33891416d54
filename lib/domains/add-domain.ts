import { randomBytes } from "node:crypto";
import { Prisma, type CustomDomain } from "@/lib/generated/prisma/client";
import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { ConflictError, ValidationError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";
import { createDomainSchema, type CreateDomainInput } from "@/lib/domains/schemas";

export const DOMAIN_CLAIMED_MESSAGE = "This hostname is already claimed.";
export const DOMAIN_ADDED_MESSAGE = "Your team has already added this hostname.";

/** A random token for the `_pullgate-challenge` TXT record. */
export function newVerificationToken(): string {
  return `pullgate-verify-${randomBytes(20).toString("hex")}`;
}

/**
 * Adds a domain as pending with a fresh token (random per claim); the first
 * background check is due at once. Claims of other teams that are merely
 * pending or failed do not block it: whoever proves the TXT record first gets
 * the name (store-domain-check.ts). A name another team has verified is a 409
 * that does not say who has it.
 */
export async function addDomain(actor: Actor, input: CreateDomainInput): Promise<CustomDomain> {
  assertCanWrite(actor);
  const data = parseOrThrow(createDomainSchema, input);
  const appId = data.appId ?? null;
  try {
    return await prisma.$transaction(async (tx) => {
      if (appId && !(await tx.app.findFirst({ where: { id: appId, teamId: actor.teamId }, select: { id: true } }))) {
        throw new ValidationError("Invalid request. appId: No app with this ID in your team.", [{ path: "appId", message: "No app with this ID in your team." }]);
      }
      if (await tx.customDomain.findFirst({ where: { hostname: data.hostname, status: "verified", teamId: { not: actor.teamId } }, select: { id: true } })) {
        throw new ConflictError(DOMAIN_CLAIMED_MESSAGE);
      }
      const domain = await tx.customDomain.create({
        data: { teamId: actor.teamId, appId, hostname: data.hostname, verificationToken: newVerificationToken(), nextCheckAt: new Date() },
      });
      await recordAuditEvent(tx, {
        actor,
        action: "domain.create",
        targetType: "domain",
        targetId: domain.id,
        targetName: domain.hostname,
        after: { hostname: domain.hostname, appId, status: domain.status },
      });
      return domain;
    });
  } catch (err) {
    // The (team, hostname) unique index: this team has a claim for the name already.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") throw new ConflictError(DOMAIN_ADDED_MESSAGE);
    throw err;
  }
}
