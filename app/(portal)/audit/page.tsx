import type { Metadata } from "next";
import { safeParseInput } from "@/lib/validation/format-zod-issues";
import Link from "next/link";
import { ChevronRight, ScrollText } from "lucide-react";
import { AuditFilters, type AuditFilterValues } from "@/components/audit/audit-filters";
import { AuditTable } from "@/components/audit/audit-table";
import { FormAlert } from "@/components/auth/form-alert";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireSessionActor } from "@/lib/auth/session";
import { listAuditEvents } from "@/lib/audit/list-audit-events";
import { listAuditEventsQuerySchema } from "@/lib/audit/schemas";
import { DomainError } from "@/lib/errors";
import { describeFieldIssues, formatZodIssues } from "@/lib/validation/format-zod-issues";

export const metadata: Metadata = { title: "Audit log · Pullgate" };

const PAGE_SIZE = 50;
type SearchParams = Record<string, string | string[] | undefined>;

const one = (v: string | string[] | undefined) => (typeof v === "string" ? v.trim() : "");
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await requireSessionActor();
  const params = await searchParams;
  const values: AuditFilterValues = {
    targetType: one(params.targetType),
    action: one(params.action),
    actor: one(params.actor),
    from: one(params.from),
    to: one(params.to),
  };
  const cursor = one(params.cursor);

  // Dates are whole UTC days; the API's query schema checks everything.
  const parsed = safeParseInput(listAuditEventsQuerySchema, {
    limit: PAGE_SIZE,
    ...(values.targetType ? { targetType: values.targetType } : {}),
    ...(values.action ? { action: values.action } : {}),
    ...(values.actor ? { actor: values.actor } : {}),
    ...(values.from ? { from: DATE.test(values.from) ? `${values.from}T00:00:00Z` : values.from } : {}),
    ...(values.to ? { to: DATE.test(values.to) ? `${values.to}T23:59:59.999Z` : values.to } : {}),
    ...(cursor ? { cursor } : {}),
  });

  let error: string | undefined;
  let result: Awaited<ReturnType<typeof listAuditEvents>> = { events: [], nextCursor: null };
  if (!parsed.success) {
    error = `These filters are invalid. ${describeFieldIssues(formatZodIssues(parsed.error))}`;
  } else {
    try {
      result = await listAuditEvents(actor, parsed.data);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      error = e.message;
    }
  }

  const filtered = Object.values(values).some(Boolean);
  const query = (extra: Record<string, string>) => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...values, ...extra })) if (v) qs.set(k, v);
    return `/audit?${qs.toString()}`;
  };

  return (
    <>
      <PageHeader title="Audit log" description="Who created, changed, archived or revoked what in this team, newest first. Secrets never appear here." />
      <div className="grid gap-4 [&>*]:min-w-0">
        <AuditFilters values={values} />
        <FormAlert message={error} />
        {!error && result.events.length === 0 ? (
          <EmptyState icon={ScrollText} title={filtered || cursor ? "No events match" : "Nothing recorded yet"}>
            {filtered || cursor
              ? "Try a wider time range or clear the filters."
              : "Changes to apps, customers, licenses, members and API tokens show up here as soon as someone makes them."}
          </EmptyState>
        ) : null}
        {result.events.length > 0 ? <AuditTable events={result.events} /> : null}
        {cursor || result.nextCursor ? (
          <nav aria-label="Pagination" className="flex items-center justify-between gap-2 text-sm">
            {cursor ? (
              <Button variant="secondary" size="sm" asChild>
                <Link href={query({})}>Back to newest</Link>
              </Button>
            ) : (
              <span />
            )}
            {result.nextCursor ? (
              <Button variant="secondary" size="sm" asChild>
                <Link href={query({ cursor: result.nextCursor })}>
                  Older events
                  <ChevronRight aria-hidden />
                </Link>
              </Button>
            ) : null}
          </nav>
        ) : null}
      </div>
    </>
  );
}
