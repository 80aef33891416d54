import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { CustomerWithLicense } from "@/lib/customers/customer-dto";
import { getCustomer } from "@/lib/customers/get-customer";
import { emitWebhookEvents } from "@/lib/webhooks/emit-events";
import { licenseEventData } from "@/lib/webhooks/license-event-data";

/**
 * Archives a customer, which cuts its registry access (unlike Replicated);
 * unarchiving restores it. Repeating either is a no-op without an audit event.
 */
export async function setCustomerArchived(actor: Actor, customerId: string, archived: boolean): Promise<CustomerWithLicense> {
  assertCanWrite(actor);
  return prisma.$transaction(async (tx) => {
    const before = await getCustomer(actor, customerId, tx);
    if ((before.archivedAt !== null) === archived) return before;
    const archivedAt = archived ? new Date() : null;
    const customer = await tx.customer.update({ where: { id: before.id }, data: { archivedAt }, include: { license: true } });
    await recordAuditEvent(tx, {
      actor,
      action: archived ? "customer.archive" : "customer.unarchive",
      targetType: "customer",
      targetId: customer.id,
      targetName: customer.name,
      before: { archivedAt: before.archivedAt },
      after: { archivedAt },
    });
    // Archiving revokes the license: its file says so (archived), and so does the event.
    const app = await tx.app.findUniqueOrThrow({ where: { id: customer.appId }, select: { slug: true } });
    await emitWebhookEvents(tx, [
      {
        teamId: actor.teamId,
        type: "license.updated",
        data: { ...licenseEventData(customer as CustomerWithLicense, app.slug), changes: { archived: { before: !archived, after: archived } } },
      },
    ]);
    return customer as CustomerWithLicense;
  });
}

export function archiveCustomer(actor: Actor, customerId: string): Promise<CustomerWithLicense> {
  return setCustomerArchived(actor, customerId, true);
}
