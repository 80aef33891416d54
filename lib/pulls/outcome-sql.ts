import { Prisma } from "@/lib/generated/prisma/client";
import { DENIED_REASONS } from "@/lib/pulls/pull-filters";

/**
 * outcomeOf() (lib/pulls/pull-filters.ts) as SQL over a PullEvent alias: the
 * rollups group by it and the live part of the charts counts by it.
 */
export function outcomeSql(alias: string): Prisma.Sql {
  const e = Prisma.raw(`"${alias}"`);
  const denied = Prisma.join(DENIED_REASONS.map((r) => Prisma.sql`${r}::"PullEventReason"`));
  return Prisma.sql`CASE WHEN ${e}."status" < 400 THEN 'success'
    WHEN ${e}."reason" IN (${denied}) THEN 'denied'
    WHEN ${e}."reason" = 'not_found' THEN 'not_found'
    WHEN ${e}."reason" = 'upstream_error' THEN 'upstream_error'
    ELSE 'error' END`;
}

/** A pull's digest as "versions in use" shows it: the resolved digest, else a by-digest reference. */
export function digestSql(alias: string): Prisma.Sql {
  const e = Prisma.raw(`"${alias}"`);
  return Prisma.sql`COALESCE(${e}."digest", CASE WHEN ${e}."reference" LIKE '%:%' THEN ${e}."reference" END)`;
}
