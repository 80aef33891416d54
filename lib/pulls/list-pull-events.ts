import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { ValidationError } from "@/lib/errors";
import type { ListPullsQuery } from "@/lib/pulls/schemas";
import { pullEventWhere } from "@/lib/pulls/pull-filters";
import { toPullEventDto, type PullEventDto } from "@/lib/pulls/pull-event-dto";

/**
 * Newest first, keyset-paginated on the event id (ids grow with time);
 * team-scoped. Pulls by default (kind=pulls), the raw request log with
 * kind=requests.
 */
export async function listPullEvents(
  actor: Pick<Actor, "teamId">,
  query: ListPullsQuery = {},
): Promise<{ pulls: PullEventDto[]; nextCursor: string | null }> {
  const limit = query.limit ?? 50;
  const and = pullEventWhere(actor.teamId, query);
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
