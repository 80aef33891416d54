import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import type { ExportPullsQuery } from "@/lib/pulls/schemas";
import { pullEventWhere } from "@/lib/pulls/pull-filters";
import { toPullEventDto, type PullEventDto } from "@/lib/pulls/pull-event-dto";
import { imageName } from "@/lib/pulls/image-name";

// Pulls (or raw requests) of a bounded time range as CSV, streamed: one page
// of rows is read from the database each time the client has taken the last
// one, so an export of months never sits in memory. Cells are quoted and a
// cell a spreadsheet would run as a formula is defused.

const PAGE = 1000;

const COLUMNS: [string, (e: PullEventDto) => string | number | boolean | null][] = [
  ["time", (e) => e.time],
  ["customer_id", (e) => e.customerId],
  ["customer", (e) => e.customerName],
  ["app_id", (e) => e.appId],
  ["image", (e) => imageName(e.repository)],
  ["tag", (e) => e.tag],
  ["reference", (e) => e.reference],
  ["digest", (e) => e.digest],
  ["outcome", (e) => e.outcome],
  ["reason", (e) => e.reason],
  ["status", (e) => e.status],
  ["is_pull", (e) => e.isPull],
  ["action", (e) => e.action],
  ["method", (e) => e.method],
  ["bytes", (e) => e.bytes],
  ["cache_hit", (e) => e.cacheHit],
  ["client_ip", (e) => e.clientIp],
  ["user_agent", (e) => e.userAgent],
  ["duration_ms", (e) => e.durationMs],
];

/**
 * One CSV cell. Text is always quoted (quotes doubled); text starting with
 * = + - @ or a tab/carriage return gets a leading ' so spreadsheets show it
 * instead of evaluating it (OWASP "CSV injection").
 */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

export function csvRow(values: (string | number | boolean | null)[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

/** The export as a byte stream, oldest first; the caller has validated the query (exportPullsQuerySchema). */
export function exportPullsCsv(actor: Pick<Actor, "teamId">, query: ExportPullsQuery): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const where = pullEventWhere(actor.teamId, query);
  let after: bigint | null = null;
  let headerSent = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!headerSent) {
          headerSent = true;
          controller.enqueue(encoder.encode(`${COLUMNS.map(([name]) => name).join(",")}\r\n`));
          return;
        }
        const rows = await prisma.pullEvent.findMany({
          where: { AND: after === null ? where : [...where, { id: { gt: after } }] },
          orderBy: { id: "asc" },
          take: PAGE,
          include: { customer: { select: { name: true } } },
        });
        if (rows.length > 0) {
          after = rows[rows.length - 1]!.id;
          controller.enqueue(encoder.encode(rows.map((r) => csvRow(COLUMNS.map(([, pick]) => pick(toPullEventDto(r))))).join("")));
        }
        if (rows.length < PAGE) controller.close();
      },
    },
    { highWaterMark: 1 },
  );
}

export function exportFileName(query: Pick<ExportPullsQuery, "since" | "until" | "kind">): string {
  const day = (iso: string) => iso.slice(0, 10);
  return `pullgate-${query.kind === "requests" ? "requests" : "pulls"}-${day(query.since)}-to-${day(query.until)}.csv`;
}
