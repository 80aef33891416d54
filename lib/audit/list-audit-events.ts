import type { Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { decodeCursor, encodeCursor } from "@/lib/pagination/keyset-cursor";
import type { ListAuditEventsQuery } from "@/lib/audit/schemas";

export type AuditEventDto = {
  id: string;
  time: string;
  actor: { id: string | null; label: string };
  action: string;
  targetType: string;
  targetId: string | null;
  targetName: string | null;
  before: unknown;
  after: unknown;
};

/** Newest first, keyset-paginated on (time, id); every filter is team-scoped. */
export async function listAuditEvents(
  actor: Pick<Actor, "teamId">,
  query: ListAuditEventsQuery = {},
): Promise<{ events: AuditEventDto[]; nextCursor: string | null }> {
  const limit = query.limit ?? 50;
  const and: Prisma.AuditEventWhereInput[] = [{ teamId: actor.teamId }];
  if (query.targetType) and.push({ targetType: query.targetType });
  if (query.action) and.push({ action: query.action });
  if (query.actor) {
    and.push({ OR: [{ actorId: query.actor }, { actorLabel: { contains: query.actor, mode: "insensitive" } }] });
  }
  if (query.from) and.push({ time: { gte: new Date(query.from) } });
  if (query.to) and.push({ time: { lte: new Date(query.to) } });
  if (query.cursor) {
    const [time, id] = decodeCursor(query.cursor, 2);
    const t = new Date(String(time));
    and.push({ OR: [{ time: { lt: t } }, { time: t, id: { lt: String(id) } }] });
  }
  const rows = await prisma.auditEvent.findMany({
    where: { AND: and },
    orderBy: [{ time: "desc" }, { id: "desc" }],
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    events: page.map((e) => ({
      id: e.id,
      time: e.time.toISOString(),
      actor: { id: e.actorId, label: e.actorLabel },
      action: e.action,
      targetType: e.targetType,
      targetId: e.targetId,
      targetName: e.targetName,
      before: e.before ?? null,
      after: e.after ?? null,
    })),
    nextCursor: rows.length > limit && last ? encodeCursor([last.time.toISOString(), last.id]) : null,
  };
}
