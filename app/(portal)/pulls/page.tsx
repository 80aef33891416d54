import type { Metadata } from "next";
import { safeParseInput } from "@/lib/validation/format-zod-issues";
import Link from "next/link";
import { Activity, Download } from "lucide-react";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PullsTable } from "@/components/pulls/pulls-table";
import { PullFilters, PullKindToggle, sinceForRange, type PullFilterValues } from "@/components/pulls/pull-filters";
import { PullActivityChart } from "@/components/pulls/pull-activity-chart";
import { PullTotalsRow } from "@/components/pulls/pull-totals";
import { requireSessionActor } from "@/lib/auth/session";
import { listPullEvents } from "@/lib/pulls/list-pull-events";
import { getPullActivity, totalActivity } from "@/lib/pulls/pull-activity";
import { listPullsQuerySchema, MAX_EXPORT_DAYS, type ListPullsQuery } from "@/lib/pulls/schemas";
import { getCustomer } from "@/lib/customers/get-customer";
import { NotFoundError } from "@/lib/errors";
import { hasPullEvents } from "@/lib/pulls/has-pull-events";

export const metadata: Metadata = { title: "Pulls · Pullgate" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function first(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.trim() ? s.trim() : undefined;
}

export default async function PullsPage({ searchParams }: { searchParams: SearchParams }) {
  const actor = await requireSessionActor();
  const params = await searchParams;
  const range = first(params.range) ?? "7d";
  const kind = first(params.kind) === "requests" ? "requests" : "pulls";
  // Bad filter values are ignored rather than failing the page.
  const parsed = safeParseInput(listPullsQuerySchema, {
    kind,
    customerId: first(params.customerId),
    image: first(params.image),
    action: kind === "requests" ? first(params.action) : undefined,
    outcome: first(params.outcome),
    cursor: first(params.cursor),
    since: sinceForRange(range),
    limit: 50,
  });
  const query: ListPullsQuery = parsed.success ? parsed.data : { kind, limit: 50 };
  const [{ pulls, nextCursor }, activity, customer] = await Promise.all([
    listPullEvents(actor, query),
    getPullActivity(actor, { days: 14, customerId: query.customerId }),
    // Another team's (or a made-up) customer id shows no name, like an unknown filter.
    query.customerId
      ? getCustomer(actor, query.customerId).catch((err: unknown) => {
          if (err instanceof NotFoundError) return null;
          throw err;
        })
      : null,
  ]);
  const values: PullFilterValues = { kind, customerId: query.customerId, customerName: customer?.name, image: query.image, action: query.action, outcome: query.outcome, range };
  const nextParams = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (k !== "cursor" && first(v)) nextParams.set(k, first(v)!);
  if (nextCursor) nextParams.set("cursor", nextCursor);
  const filtered = Boolean(query.customerId || query.image || query.action || query.outcome || query.cursor);
  const totals = totalActivity(activity);
  // A team whose customers never pulled gets the empty state alone: an empty chart and filters over nothing are noise.
  const nothingYet = !filtered && pulls.length === 0 && Object.values(totals).every((n) => n === 0) && !(await hasPullEvents(actor));

  const exportParams = new URLSearchParams({ kind, since: sinceForRange(range) ?? sinceForRange(`${MAX_EXPORT_DAYS - 2}d`) ?? "" });
  for (const key of ["customerId", "image", "action", "outcome"] as const) if (query[key]) exportParams.set(key, query[key]!);
  const noun = kind === "pulls" ? "pull" : "request";

  return (
    <>
      <PageHeader
        title="Pulls"
        description="Who pulled which image and version, when, and whether it was allowed. A pull is one image fetched by one client; the request log shows every registry request."
        actions={nothingYet ? null : <PullKindToggle values={values} />}
      />
      <div className="grid grid-cols-[minmax(0,1fr)] gap-6">
        {nothingYet ? null : (
          <>
            <Card>
              <CardHeader>
                <CardTitle>Last 14 days</CardTitle>
                <CardDescription>
                  Pulls per day by outcome{customer ? ` for ${customer.name}` : ""}. Denied counts refusals by the license only; not found and upstream errors are
                  shown apart.
                </CardDescription>
              </CardHeader>
              <CardContent className="grid gap-4">
                <PullTotalsRow totals={totals} />
                <PullActivityChart data={activity} />
              </CardContent>
            </Card>
            <PullFilters values={values} />
          </>
        )}
        {pulls.length === 0 ? (
          <EmptyState
            icon={Activity}
            title={nothingYet ? "No pulls yet" : filtered ? `No ${noun}s match these filters` : `No ${noun}s in this time range`}
            action={
              nothingYet ? (
                <Button asChild variant="secondary">
                  <Link href="/customers">Go to customers</Link>
                </Button>
              ) : null
            }
          >
            {nothingYet
              ? "When a customer runs docker pull through Pullgate, each pull shows up here. Send a customer their install instructions from the customer's page."
              : "Try a wider time range or clear the filters."}
          </EmptyState>
        ) : (
          <div className="overflow-hidden rounded-lg border border-zinc-200 bg-white shadow-xs">
            <PullsTable pulls={pulls} showCustomer={!query.customerId} kind={kind} />
            <div className="flex flex-wrap items-center justify-between gap-3 border-t border-zinc-100 px-4 py-3 text-sm text-zinc-500">
              <span>
                {pulls.length} {pulls.length === 1 ? noun : `${noun}s`} shown, newest first
              </span>
              <span className="flex items-center gap-2">
                <Button asChild variant="ghost" size="sm">
                  <a href={`/api/portal/pulls.csv?${exportParams.toString()}`} download>
                    <Download aria-hidden />
                    Export CSV
                  </a>
                </Button>
                {nextCursor ? (
                  <Button asChild variant="secondary" size="sm">
                    <Link className="shrink-0" href={`/pulls?${nextParams.toString()}`}>
                      Older {noun}s
                    </Link>
                  </Button>
                ) : null}
              </span>
            </div>
          </div>
        )}
      </div>
    </>
  );
}
