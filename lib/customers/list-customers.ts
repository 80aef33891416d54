import { Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { EXPIRING_SOON_DAYS } from "@/lib/licenses/license-status";
import { decodeCursor, encodeCursor } from "@/lib/pagination/keyset-cursor";
import { ValidationError } from "@/lib/errors";
import type { CustomerLastPullFilter, CustomerSort, CustomerStatusFilter, CustomerTypeValue } from "@/lib/customers/schemas";
import type { CustomerWithLicense } from "@/lib/customers/customer-dto";

export type ListCustomersOptions = {
  appId?: string;
  /** Case-insensitive fragment of name, email or custom ID, or an exact license ID. */
  q?: string;
  status?: CustomerStatusFilter;
  type?: CustomerTypeValue;
  /** By the last pull (Customer.lastPullAt, indexed with the team). */
  lastPull?: CustomerLastPullFilter;
  /** name (A→Z), created (newest first), expiry (soonest first, "never" last); `order` flips. */
  sort?: CustomerSort;
  order?: "asc" | "desc";
  limit?: number;
  /** Keyset pagination (API): the nextCursor of the previous page. */
  cursor?: string;
  /** Offset pagination (UI): 1-based page number; also returns the total. */
  page?: number;
};

export type ListCustomersResult = {
  customers: CustomerWithLicense[];
  nextCursor: string | null;
  /** Only computed for page-based listing. */
  total: number | null;
  page: number | null;
  pageSize: number;
};

const DEFAULT_ORDER: Record<CustomerSort, "asc" | "desc"> = { name: "asc", created: "desc", expiry: "asc" };
const SORT_COLUMN: Record<CustomerSort, Prisma.Sql> = {
  name: Prisma.sql`c."name"`,
  created: Prisma.sql`c."createdAt"`,
  expiry: Prisma.sql`l."expiresAt"`,
};

/**
 * Status in SQL, the same rule as getLicenseStatus (archived > access off >
 * expired > active; "expiring" = active and ending within 14 days).
 */
export function statusCondition(status: CustomerStatusFilter, now: Date): Prisma.Sql {
  if (status === "archived") return Prisma.sql`c."archivedAt" IS NOT NULL`;
  return Prisma.sql`c."archivedAt" IS NULL AND ${licenseStatusCondition(status, now)}`;
}

/** The license-side half of a non-archived status (the customer must also not be archived). */
function licenseStatusCondition(status: Exclude<CustomerStatusFilter, "archived">, now: Date): Prisma.Sql {
  const soon = new Date(now.getTime() + EXPIRING_SOON_DAYS * 86_400_000);
  switch (status) {
    case "disabled":
      return Prisma.sql`l."registryAccess" = false`;
    case "expired":
      return Prisma.sql`l."registryAccess" = true AND l."expiresAt" <= ${now}`;
    case "active":
      return Prisma.sql`l."registryAccess" = true AND (l."expiresAt" IS NULL OR l."expiresAt" > ${now})`;
    case "expiring":
      return Prisma.sql`l."registryAccess" = true AND l."expiresAt" > ${now} AND l."expiresAt" <= ${soon}`;
  }
}

/** Days without a pull after which a customer counts as "not pulled in 30 days". */
export const INACTIVE_DAYS = 30;

export function lastPullCondition(filter: CustomerLastPullFilter, now: Date): Prisma.Sql {
  const cutoff = new Date(now.getTime() - INACTIVE_DAYS * 86_400_000);
  switch (filter) {
    case "within_30d":
      return Prisma.sql`c."lastPullAt" >= ${cutoff}`;
    case "over_30d":
      return Prisma.sql`(c."lastPullAt" < ${cutoff} OR c."lastPullAt" IS NULL)`;
    case "never":
      return Prisma.sql`c."lastPullAt" IS NULL`;
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}

/**
 * One page of the team's customers. Ids are chosen with one SQL query (the
 * indexes of migration 20261128100000_customer_search keep it fast at 100k
 * customers per team), then loaded with their licenses.
 */
export async function listCustomers(actor: Pick<Actor, "teamId">, options: ListCustomersOptions = {}, now = new Date()): Promise<ListCustomersResult> {
  const sort = options.sort ?? "created";
  const order = options.order ?? DEFAULT_ORDER[sort];
  const limit = Math.min(Math.max(options.limit ?? 25, 1), 200);
  const column = SORT_COLUMN[sort];
  const direction = order === "asc" ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  const cmp = order === "asc" ? Prisma.sql`>` : Prisma.sql`<`;

  // License columns are joined only when a filter or the sort needs them;
  // the license-ID search is an exact lookup through its unique index.
  const statusNeedsLicense = Boolean(options.status) && options.status !== "archived";
  const needsLicense = statusNeedsLicense || sort === "expiry";
  const from = needsLicense
    ? Prisma.sql`"Customer" c JOIN "License" l ON l."customerId" = c."id" AND l."teamId" = ${actor.teamId}`
    : Prisma.sql`"Customer" c`;
  const filters: Prisma.Sql[] = [Prisma.sql`c."teamId" = ${actor.teamId}`];
  if (options.appId) filters.push(Prisma.sql`c."appId" = ${options.appId}`);
  if (options.type) filters.push(Prisma.sql`c."type" = ${options.type}::"CustomerType"`);
  if (options.status) filters.push(statusCondition(options.status, now));
  if (options.lastPull) filters.push(lastPullCondition(options.lastPull, now));
  const q = options.q?.trim();
  if (q) {
    const like = `%${escapeLike(q)}%`;
    filters.push(Prisma.sql`(c."name" ILIKE ${like} OR c."email" ILIKE ${like} OR c."customId" ILIKE ${like}
      OR c."id" = (SELECT "customerId" FROM "License" WHERE "licenseId" = ${q} AND "teamId" = ${actor.teamId}))`);
  }

  // Postgres' default null placement (ASC NULLS LAST, DESC NULLS FIRST) lets
  // the sort walk an index; for expiry it reads as "never expires = latest".
  const keyset: Prisma.Sql[] = [];
  if (options.cursor) {
    // The cursor names its sort so a cursor from another ordering is refused, not misread.
    const [cursorSort, value, id] = decodeCursor(options.cursor, 3);
    if (cursorSort !== `${sort}:${order}` || typeof id !== "string") throw invalidCursor();
    if (value === null) {
      if (sort !== "expiry") throw invalidCursor();
      keyset.push(
        order === "asc"
          ? Prisma.sql`(${column} IS NULL AND c."id" > ${id})`
          : Prisma.sql`((${column} IS NULL AND c."id" < ${id}) OR ${column} IS NOT NULL)`,
      );
    } else {
      const v = sort === "name" ? String(value) : new Date(String(value));
      if (v instanceof Date && Number.isNaN(v.getTime())) throw invalidCursor();
      const nullsAfter = sort === "expiry" && order === "asc" ? Prisma.sql` OR ${column} IS NULL` : Prisma.empty;
      keyset.push(Prisma.sql`(${column} ${cmp} ${v} OR (${column} = ${v} AND c."id" ${cmp} ${id})${nullsAfter})`);
    }
  }

  const where = Prisma.join([...filters, ...keyset], " AND ");
  const page = options.cursor ? null : options.page ?? null;
  const offset = page ? (page - 1) * limit : 0;

  let total: number | null = null;
  if (page) {
    total = await countCustomers(actor.teamId, filters, {
      statusNeedsLicense,
      licenseOnly: options.status && options.status !== "archived" && !options.appId && !options.type && !options.lastPull && !q ? options.status : undefined,
      now,
    });
  }

  // A search matching few rows is fastest through the trigram indexes and a
  // small sort; one matching many is fastest by walking the sort index until
  // the page is full. Matches often cluster in sort order (sequential custom
  // IDs, names sharing a prefix), which the planner cannot know, so decide
  // from the match count: the page's total, or a capped count for cursors.
  let orderExpr = column;
  if (q) {
    const matches = total ?? (await countCapped(from, where, FEW_MATCHES + 1));
    if (matches <= FEW_MATCHES) {
      orderExpr = sort === "name" ? Prisma.sql`(${column} || '')` : Prisma.sql`(${column} + interval '0 seconds')`;
    }
  }

  const rows = await prisma.$queryRaw<{ id: string; sortValue: Date | string | null }[]>`
    SELECT c."id", ${column} AS "sortValue"
    FROM ${from}
    WHERE ${where}
    ORDER BY ${orderExpr} ${direction}, c."id" ${direction}
    LIMIT ${limit + 1} OFFSET ${offset}`;

  const pageRows = rows.slice(0, limit);
  const loaded = await prisma.customer.findMany({
    where: { id: { in: pageRows.map((r) => r.id) }, teamId: actor.teamId },
    include: { license: true },
  });
  const byId = new Map(loaded.map((c) => [c.id, c]));
  const customers = pageRows.map((r) => byId.get(r.id)).filter((c): c is CustomerWithLicense => Boolean(c?.license));

  const last = pageRows[pageRows.length - 1];
  const nextCursor =
    rows.length > limit && last
      ? encodeCursor([`${sort}:${order}`, last.sortValue instanceof Date ? last.sortValue.toISOString() : (last.sortValue ?? null), last.id])
      : null;
  return { customers, nextCursor, total, page, pageSize: limit };
}

/**
 * The number of matching customers (page-based listing). A status filter on
 * its own is counted from the license side, excluding the (few, indexed)
 * archived customers, instead of joining every customer row.
 */
async function countCustomers(
  teamId: string,
  filters: Prisma.Sql[],
  how: { statusNeedsLicense: boolean; licenseOnly?: Exclude<CustomerStatusFilter, "archived">; now: Date },
): Promise<number> {
  let counted: { count: bigint | number }[];
  if (how.licenseOnly) {
    counted = await prisma.$queryRaw`
      SELECT count(*) AS "count" FROM "License" l
      WHERE l."teamId" = ${teamId} AND ${licenseStatusCondition(how.licenseOnly, how.now)}
        AND NOT EXISTS (SELECT 1 FROM "Customer" c WHERE c."id" = l."customerId" AND c."teamId" = ${teamId} AND c."archivedAt" IS NOT NULL)`;
  } else {
    const from = how.statusNeedsLicense
      ? Prisma.sql`"Customer" c JOIN "License" l ON l."customerId" = c."id" AND l."teamId" = ${teamId}`
      : Prisma.sql`"Customer" c`;
    counted = await prisma.$queryRaw`SELECT count(*) AS "count" FROM ${from} WHERE ${Prisma.join(filters, " AND ")}`;
  }
  return Number(counted[0]?.count ?? 0);
}

/** Searches with at most this many matches are sorted in memory rather than by walking an index. */
const FEW_MATCHES = 20_000;

async function countCapped(from: Prisma.Sql, where: Prisma.Sql, cap: number): Promise<number> {
  const counted = await prisma.$queryRaw<{ count: bigint | number }[]>`
    SELECT count(*) AS "count" FROM (SELECT 1 FROM ${from} WHERE ${where} LIMIT ${cap}) matches`;
  return Number(counted[0]?.count ?? 0);
}

function invalidCursor(): ValidationError {
  return new ValidationError("Invalid request. cursor: Not a cursor returned by this API.", [{ path: "cursor", message: "Not a cursor returned by this API." }]);
}
