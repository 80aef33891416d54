import type { Prisma } from "@/lib/generated/prisma/client";
import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { ValidationError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { diffFields } from "@/lib/audit/diff-fields";
import { describeFieldIssues, parseOrThrow } from "@/lib/validation/format-zod-issues";
import { applyEntitlementSchema, readEntitlementSchema, type Entitlements } from "@/lib/apps/entitlement-schema";
import { licenseTermsIssue, updateCustomerSchema, type UpdateCustomerInput } from "@/lib/customers/schemas";
import { CUSTOMER_AUDIT_FIELDS, LICENSE_AUDIT_FIELDS } from "@/lib/customers/audit-fields";
import type { CustomerWithLicense } from "@/lib/customers/customer-dto";
import { getCustomer } from "@/lib/customers/get-customer";
import { emitWebhookEvents } from "@/lib/webhooks/emit-events";
import { licenseEventData } from "@/lib/webhooks/license-event-data";

/**
 * Changes a customer and/or its license. Fields left out stay as they are;
 * `expiresAt: null` means never. Becoming `community` clears the expiry.
 */
export async function updateCustomer(actor: Actor, customerId: string, input: UpdateCustomerInput, now = new Date()): Promise<CustomerWithLicense> {
  assertCanWrite(actor);
  const data = parseOrThrow(updateCustomerSchema, input);
  return prisma.$transaction(async (tx) => {
    const before = await getCustomer(actor, customerId, tx);

    const type = data.type ?? before.type;
    let expiresAt = data.expiresAt !== undefined ? data.expiresAt : before.license.expiresAt;
    if (type === "community" && data.expiresAt === undefined) expiresAt = null;
    const termsChanged = data.type !== undefined || data.expiresAt !== undefined;
    const issue = termsChanged ? licenseTermsIssue(type, expiresAt, now) : null;
    if (issue) throw new ValidationError(`Invalid request. ${issue.path}: ${issue.message}`, [issue]);

    const customerData: Prisma.CustomerUpdateInput = {};
    if (data.name !== undefined) customerData.name = data.name;
    if (data.email !== undefined) customerData.email = data.email;
    if (data.customId !== undefined) customerData.customId = data.customId;
    if (data.type !== undefined) customerData.type = data.type;
    if (data.channel !== undefined) customerData.channel = data.channel;

    const licenseData: Prisma.LicenseUpdateInput = {};
    if (expiresAt?.getTime() !== before.license.expiresAt?.getTime()) licenseData.expiresAt = expiresAt;
    if (data.registryAccess !== undefined) licenseData.registryAccess = data.registryAccess;
    if (data.imagePatterns !== undefined) licenseData.imagePatterns = data.imagePatterns;
    if (data.entitlements !== undefined) {
      // New and changed values must fit the app's schema; values left as they were are kept (flagged elsewhere).
      const app = await tx.app.findUniqueOrThrow({ where: { id: before.appId }, select: { entitlementSchema: true } });
      const checked = applyEntitlementSchema(readEntitlementSchema(app.entitlementSchema), data.entitlements as Entitlements, before.license.entitlements as Entitlements);
      if (checked.issues.length) throw new ValidationError(`Invalid request. ${describeFieldIssues(checked.issues)}`, checked.issues);
      licenseData.entitlements = checked.values as Prisma.InputJsonObject;
    }

    const customer = Object.keys(customerData).length
      ? await tx.customer.update({ where: { id: before.id }, data: customerData })
      : before;
    const license = Object.keys(licenseData).length
      ? await tx.license.update({ where: { id: before.license.id }, data: licenseData })
      : before.license;

    const customerDiff = diffFields(before, customer, CUSTOMER_AUDIT_FIELDS);
    if (customerDiff) {
      await recordAuditEvent(tx, { actor, action: "customer.update", targetType: "customer", targetId: customer.id, targetName: customer.name, ...customerDiff });
    }
    const licenseDiff = diffFields(before.license, license, LICENSE_AUDIT_FIELDS);
    if (licenseDiff) {
      await recordAuditEvent(tx, { actor, action: "license.update", targetType: "license", targetId: customer.id, targetName: customer.name, ...licenseDiff });
    }
    // What a license file says changed (its customer part included): receivers get each field's before and after.
    const fileDiff = diffFields(before, customer, ["name", "customId", "type"] as const);
    if (licenseDiff || fileDiff) {
      const app = await tx.app.findUniqueOrThrow({ where: { id: customer.appId }, select: { slug: true } });
      const changes = Object.fromEntries(
        [fileDiff, licenseDiff].flatMap((diff) => Object.keys(diff?.after ?? {}).map((field) => [field, { before: diff!.before[field], after: diff!.after[field] }])),
      );
      await emitWebhookEvents(tx, [{ teamId: actor.teamId, type: "license.updated", data: { ...licenseEventData({ ...customer, license }, app.slug, now), changes } }], now);
    }
    return { ...customer, license };
  });
}
