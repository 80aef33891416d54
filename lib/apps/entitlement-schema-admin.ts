import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";
import { getApp } from "@/lib/apps/get-app";
import { entitlementProblems, readEntitlementSchema, type Entitlements } from "@/lib/apps/entitlement-schema";
import { entitlementSchemaInputSchema, type EntitlementField, type EntitlementSchemaInput } from "@/lib/apps/schemas";
import type { FieldIssue } from "@/lib/errors";

export type NonconformingCustomer = { customerId: string; name: string; issues: FieldIssue[] };
export type EntitlementSchemaView = { fields: EntitlementField[]; nonconforming: NonconformingCustomer[] };

const MAX_LISTED = 100;
const SCAN_BATCH = 500;

/** The app's customers (not archived) whose stored entitlements do not fit `fields`: flagged, never changed. */
async function findNonconforming(teamId: string, appId: string, fields: EntitlementField[]): Promise<NonconformingCustomer[]> {
  if (fields.length === 0) return [];
  const found: NonconformingCustomer[] = [];
  let cursor: string | undefined;
  for (;;) {
    const rows = await prisma.customer.findMany({
      where: { teamId, appId, archivedAt: null },
      select: { id: true, name: true, license: { select: { entitlements: true } } },
      orderBy: { id: "asc" },
      take: SCAN_BATCH,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    for (const row of rows) {
      const issues = entitlementProblems(fields, (row.license?.entitlements ?? {}) as Entitlements);
      if (issues.length) found.push({ customerId: row.id, name: row.name, issues });
      if (found.length >= MAX_LISTED) return found;
    }
    if (rows.length < SCAN_BATCH) return found;
    cursor = rows[rows.length - 1]!.id;
  }
}

export async function getEntitlementSchema(actor: Pick<Actor, "teamId">, appId: string): Promise<EntitlementSchemaView> {
  const app = await getApp(actor, appId);
  const fields = readEntitlementSchema(app.entitlementSchema);
  return { fields, nonconforming: await findNonconforming(actor.teamId, app.id, fields) };
}

/** Replaces the app's fields. Stored entitlements are left as they are; those that no longer fit are listed. */
export async function setEntitlementSchema(actor: Actor, appId: string, input: EntitlementSchemaInput): Promise<EntitlementSchemaView> {
  assertCanWrite(actor);
  const data = parseOrThrow(entitlementSchemaInputSchema, input);
  const fields: EntitlementField[] = data.fields.map((f) => ({ name: f.name, type: f.type, default: f.default ?? null, required: f.required ?? false }));
  const app = await prisma.$transaction(async (tx) => {
    const before = await getApp(actor, appId, tx);
    const updated = await tx.app.update({ where: { id: before.id }, data: { entitlementSchema: fields } });
    await recordAuditEvent(tx, {
      actor,
      action: "app.entitlement_schema",
      targetType: "app",
      targetId: updated.id,
      targetName: updated.name,
      before: { fields: before.entitlementSchema as object },
      after: { fields },
    });
    return updated;
  });
  return { fields, nonconforming: await findNonconforming(actor.teamId, app.id, fields) };
}

/** Every app's fields (by app id) of the actor's team: the new-customer form starts from them. */
export async function listEntitlementSchemas(actor: Pick<Actor, "teamId">): Promise<Record<string, EntitlementField[]>> {
  const apps = await prisma.app.findMany({ where: { teamId: actor.teamId }, select: { id: true, entitlementSchema: true } });
  return Object.fromEntries(apps.map((a) => [a.id, readEntitlementSchema(a.entitlementSchema)]));
}

/** What no longer fits in one customer's stored entitlements (flags for its page and form). */
export async function customerEntitlementFlags(actor: Pick<Actor, "teamId">, appId: string, entitlements: unknown): Promise<FieldIssue[]> {
  const app = await getApp(actor, appId);
  return entitlementProblems(readEntitlementSchema(app.entitlementSchema), (entitlements ?? {}) as Entitlements);
}
