import { Prisma, type App } from "@/lib/generated/prisma/client";
import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { ConflictError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { pickFields } from "@/lib/audit/diff-fields";
import { getApp } from "@/lib/apps/get-app";

/** Deletes an app that has no customers (archived ones count: their history points at it). */
export async function deleteApp(actor: Actor, appId: string): Promise<App> {
  assertCanWrite(actor);
  try {
    return await deleteInTransaction(actor, appId);
  } catch (err) {
    // A customer created between the count and the delete: the foreign key refuses.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2003") {
      throw new ConflictError("The app gained a customer while being deleted; it can only be deleted when it has none.");
    }
    throw err;
  }
}

function deleteInTransaction(actor: Actor, appId: string): Promise<App> {
  return prisma.$transaction(async (tx) => {
    const app = await getApp(actor, appId, tx);
    const customers = await tx.customer.count({ where: { appId: app.id, teamId: actor.teamId } });
    if (customers > 0) {
      throw new ConflictError(
        `The app "${app.name}" still has ${customers} customer${customers === 1 ? "" : "s"} (archived ones included); it can only be deleted when it has none.`,
      );
    }
    await tx.app.delete({ where: { id: app.id } });
    await recordAuditEvent(tx, {
      actor,
      action: "app.delete",
      targetType: "app",
      targetId: app.id,
      targetName: app.name,
      before: pickFields(app, ["name", "slug"]),
    });
    return app;
  });
}
