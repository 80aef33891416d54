import type { App } from "@/lib/generated/prisma/client";
import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { diffFields } from "@/lib/audit/diff-fields";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";
import { renameAppSchema, type RenameAppInput } from "@/lib/apps/schemas";
import { getApp } from "@/lib/apps/get-app";

/** Renames an app; the slug stays (it is part of every pull path already handed out). */
export async function renameApp(actor: Actor, appId: string, input: RenameAppInput): Promise<App> {
  assertCanWrite(actor);
  const data = parseOrThrow(renameAppSchema, input);
  return prisma.$transaction(async (tx) => {
    const before = await getApp(actor, appId, tx);
    const app = await tx.app.update({ where: { id: before.id }, data: { name: data.name } });
    const diff = diffFields(before, app, ["name"]);
    if (diff) {
      await recordAuditEvent(tx, { actor, action: "app.rename", targetType: "app", targetId: app.id, targetName: app.name, ...diff });
    }
    return app;
  });
}
