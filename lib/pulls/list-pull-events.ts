import type { Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { ValidationError } from "@/lib/errors";
import type { ListPullsQuery } from "@/lib/pulls/schemas";
import { toPullEventDto, type PullEventDto } from "@/lib/pulls/pull-event-dto";

const DENIED_STATUSES = [401, 403, 404, 429];

/** Newest first, keyset-paginated on the event id (ids grow with time); team-scoped. */
export async function listPullEvents(
  actor: Pick<Actor, "teamId">,
  query: ListPullsQuery = {},
): Promise<{ pulls: PullEventDto[]; nextCursor: string | null }> {
  const limit = query.limit ?? 50;
  const and: Prisma.PullEventWhereInput[] = [{ teamId: actor.teamId }];
  if (query.customerId) and.push({ customerId: query.customerId });
  if (query.appId) and.push({ appId: query.appId });
  if (query.image) and.push({ repository: { contains: query.image, mode: "insensitive" } });
  if (query.action) and.push({ action: query.action });
  if (query.outcome === "success") and.push({ status: { lt: 400 } });
  if (query.outcome === "denied") and.push({ status: { in: DENIED_STATUSES } });
  if (query.outcome === "error") and.push({ status: { gte: 400, notIn: DENIED_STATUSES } });
  if (query.since) and.push({ time: { gte: new Date(query.since) } });
  if (query.until) and.push({ time: { lte: new Date(query.until) } });
  if (query.cursor) {
    if (!/^\d{1,19}$/.test(query.cursor)) throw new ValidationError("Invalid request. cursor: Not a valid cursor.", [{ path: "cursor", message: "Not a valid cursor." }]);
    and.push({ id: { lt: BigInt(query.cursor) } });
  }
  const rows = await prisma.pullEvent.findMany({
    where: { AND: and },
    orderBy: { id: "desc" },
    take: limit + 1,
    include: { customer: { select: { name: true } } },
  });
  const page = rows.slice(0, limit);
  return {
    pulls: page.map(toPullEventDto),
    nextCursor: rows.length > limit ? page[page.length - 1]!.id.toString() : null,
  };
}
