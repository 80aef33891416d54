import { Prisma } from "@/lib/generated/prisma/client";
import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { ValidationError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { pickFields } from "@/lib/audit/diff-fields";
import { describeFieldIssues, parseOrThrow } from "@/lib/validation/format-zod-issues";
import { applyEntitlementSchema, readEntitlementSchema, type Entitlements } from "@/lib/apps/entitlement-schema";
import { generateLicenseId } from "@/lib/licenses/generate-license-id";
import { createCustomerSchema, licenseTermsIssue, TEST_LICENSE_MAX_HOURS, type CreateCustomerInput } from "@/lib/customers/schemas";
import { CUSTOMER_AUDIT_FIELDS, LICENSE_AUDIT_FIELDS } from "@/lib/customers/audit-fields";
import type { CustomerWithLicense } from "@/lib/customers/customer-dto";
import { emitWebhookEvents } from "@/lib/webhooks/emit-events";
import { licenseEventData } from "@/lib/webhooks/license-event-data";

/**
 * Creates a customer and its license in one transaction. A `test` license
 * without an expiry gets one 48 hours ahead.
 */
export async function createCustomer(actor: Actor, input: CreateCustomerInput, now = new Date()): Promise<CustomerWithLicense> {
  assertCanWrite(actor);
  const data = parseOrThrow(createCustomerSchema, input);
  const type = data.type ?? "paid";
  const expiresAt = data.expiresAt !== undefined ? data.expiresAt : type === "test" ? new Date(now.getTime() + TEST_LICENSE_MAX_HOURS * 3600_000) : null;
  const issue = licenseTermsIssue(type, expiresAt, now);
  if (issue) throw new ValidationError(`Invalid request. ${issue.path}: ${issue.message}`, [issue]);

  for (let attempt = 0; ; attempt++) {
    try {
      return await prisma.$transaction(async (tx) => {
        const app = await tx.app.findFirst({ where: { id: data.appId, teamId: actor.teamId }, select: { id: true, slug: true, entitlementSchema: true } });
        if (!app) throw new ValidationError("Invalid request. appId: No such app in this team.", [{ path: "appId", message: "No such app in this team." }]);
        const checked = applyEntitlementSchema(readEntitlementSchema(app.entitlementSchema), (data.entitlements ?? {}) as Entitlements);
        if (checked.issues.length) throw new ValidationError(`Invalid request. ${describeFieldIssues(checked.issues)}`, checked.issues);
        const customer = await tx.customer.create({
          data: {
            teamId: actor.teamId,
            appId: app.id,
            name: data.name,
            email: data.email ?? null,
            customId: data.customId ?? null,
            type,
            channel: data.channel ?? null,
          },
        });
        const license = await tx.license.create({
          data: {
            teamId: actor.teamId,
            customerId: customer.id,
            licenseId: generateLicenseId(),
            expiresAt,
            registryAccess: data.registryAccess ?? true,
            imagePatterns: data.imagePatterns ?? [],
            entitlements: checked.values as Prisma.InputJsonObject,
          },
        });
        await recordAuditEvent(tx, {
          actor,
          action: "customer.create",
          targetType: "customer",
          targetId: customer.id,
          targetName: customer.name,
          after: { ...pickFields(customer, CUSTOMER_AUDIT_FIELDS), appId: customer.appId, ...pickFields(license, LICENSE_AUDIT_FIELDS) },
        });
        await emitWebhookEvents(tx, [{ teamId: actor.teamId, type: "license.created", data: licenseEventData({ ...customer, license }, app.slug, now) }], now);
        return { ...customer, license };
      });
    } catch (err) {
      // A license ID collision (2^-160) is retried rather than surfaced.
      if (attempt < 2 && err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") continue;
      throw err;
    }
  }
}
