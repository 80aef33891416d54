import type { Metadata } from "next";
import { safeParseInput } from "@/lib/validation/format-zod-issues";
import Link from "next/link";
import { Activity } from "lucide-react";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PullsTable } from "@/components/pulls/pulls-table";
import { PullFilters, sinceForRange } from "@/components/pulls/pull-filters";
import { PullActivityChart } from "@/components/pulls/pull-activity-chart";
import { requireSessionActor } from "@/lib/auth/session";
import { listPullEvents } from "@/lib/pulls/list-pull-events";
import { getPullActivity } from "@/lib/pulls/pull-activity";
import { listPullsQuerySchema } from "@/lib/pulls/schemas";
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
  // Bad filter values are ignored rather than failing the page.
  const parsed = safeParseInput(listPullsQuerySchema, {
    customerId: first(params.customerId),
    image: first(params.image),
    action: first(params.action),
    outcome: first(params.outcome),
    cursor: first(params.cursor),
    since: sinceForRange(range),
    limit: 50,
  });
  const query = parsed.success ? parsed.data : { limit: 50 };
  const [{ pulls, nextCursor }, activity, customer] = await Promise.all([
    listPullEvents(actor, query),
    getPullActivity(actor, { days: 14, customerId: query.customerId }),
    // Another team's (or a made-up) customer id shows no name, like an unknown filter.
    query.customerId ? getCustomer(actor, query.customerId).catch((err: unknown) => {
          if (err instanceof NotFoundError) return null;
          throw err;
        }) : null,
  ]);
  const nextParams = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (k !== "cursor" && first(v)) nextParams.set(k, first(v)!);
  if (nextCursor) nextParams.set("cursor", nextCursor);
  const filtered = Boolean(query.customerId || query.image || query.action || query.outcome || query.cursor);
  // A team whose customers never pulled gets the empty state alone: an empty chart and filters over nothing are noise.
  const nothingYet =
    !filtered &&
    pulls.length === 0 &&
    activity.every((day) => day.pulls === 0 && day.denied === 0) &&
    !(await hasPullEvents(actor));

  return (
    <>
      <PageHeader title="Pulls" description="Every request customers made through the proxy: who pulled which image, when, and whether it was allowed." />
      <div className="grid grid-cols-[minmax(0,1fr)] gap-6">
        {nothingYet ? null : (
          <>
            <Card>
              <CardHeader>
                <CardTitle>Last 14 days</CardTitle>
                <CardDescription>Images pulled (manifest downloads) and denied requests per day{customer ? ` for ${customer.name}` : ""}.</CardDescription>
              </CardHeader>
              <CardContent>
                <PullActivityChart data={activity} />
              </CardContent>
            </Card>
            <PullFilters values={{ customerId: query.customerId, customerName: customer?.name, image: query.image, action: query.action, outcome: query.outcome, range }} />
          </>
        )}
        {pulls.length === 0 ? (
          <EmptyState
            icon={Activity}
            title={nothingYet ? "No pulls yet" : filtered ? "No pulls match these filters" : "No pulls in this time range"}
            action={
              nothingYet ? (
                <Button asChild variant="secondary">
                  <Link href="/customers">Go to customers</Link>
                </Button>
              ) : null
            }
          >
            {nothingYet
              ? "When a customer runs docker pull through Pullgate, each request shows up here. Send a customer their install instructions from the customer's page."
              : "Try a wider time range or clear the filters."}
          </EmptyState>
        ) : (
          <div className="overflow-hidden rounded-lg border border-zinc-200 bg-white shadow-xs">
            <PullsTable pulls={pulls} showCustomer={!query.customerId} />
            <div className="flex items-center justify-between gap-3 border-t border-zinc-100 px-4 py-3 text-sm text-zinc-500">
              <span>
                {pulls.length} {pulls.length === 1 ? "request" : "requests"} shown, newest first
              </span>
              {nextCursor ? (
                <Button asChild variant="secondary" size="sm">
                  <Link className="shrink-0" href={`/pulls?${nextParams.toString()}`}>
                    Older requests
                  </Link>
                </Button>
              ) : null}
            </div>
          </div>
        )}
      </div>
    </>
  );
}
