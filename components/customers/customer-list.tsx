"use client";

import * as React from "react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { ArrowDown, ArrowUp, Plus, Search, Users, X } from "lucide-react";
import { LicenseStatusBadge } from "@/components/customers/license-status-badge";
import type { CustomerPage } from "@/components/customers/customer-row";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Pagination } from "@/components/ui/pagination";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { customerLastPullFilters, customerSorts, customerStatusFilters, customerTypes } from "@/lib/customers/list-options";
import { customerListQuery, type CustomerListKey } from "@/components/customers/customer-list-query";
import { LastPull } from "@/components/customers/last-pull";
import { formatDate } from "@/lib/utils/format-date";

const STATUS_LABELS: Record<(typeof customerStatusFilters)[number], string> = {
  active: "Active",
  expiring: "Expiring soon",
  expired: "Expired",
  disabled: "Access off",
  archived: "Archived",
};
const LAST_PULL_LABELS: Record<(typeof customerLastPullFilters)[number], string> = {
  within_30d: "Pulled in 30 days",
  over_30d: "Not pulled in 30 days",
  never: "Never pulled",
};
const SORT_LABELS: Record<(typeof customerSorts)[number], string> = { created: "Date created", name: "Name", expiry: "Expiry date" };
async function fetchCustomers(params: string): Promise<CustomerPage> {
  const response = await fetch(`/api/portal/customers?${params}`, { headers: { accept: "application/json" } });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message;
    throw new Error(message ?? `Loading customers failed (${response.status}).`);
  }
  return body as CustomerPage;
}

export type CustomerListProps = {
  apps: { id: string; name: string }[];
  /** On an app's page the list shows only that app's customers. */
  fixedAppId?: string;
  canWrite: boolean;
  /** The page the server already read for this URL (its API query and rows): shown at once, then kept fresh by React Query. */
  initialPage?: { query: string; data: CustomerPage };
};

/**
 * Server-side paginated, searchable, filterable list. The URL holds the state
 * (shareable, back button works); React Query fetches each page.
 */
/** How long the rows rendered by the server count as fresh after hydration (longer than hydrating takes, shorter than a visit to a customer). */
const SERVER_ROWS_FRESH_MS = 2_000;

export function CustomerList({ apps, fixedAppId, canWrite, initialPage }: CustomerListProps) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();

  const { state, sort, order, apiQuery } = customerListQuery((k) => searchParams.get(k), fixedAppId);

  // staleTime 0: coming back from a customer's page shows the cached page at once and refetches (statuses change).
  // The server's rows for this URL are the first data, so they are in the HTML (no wait for a fetch); they were
  // read for this very render, so they count as fresh for a moment: mounting does not ask the API for the same
  // page again (which doubled the list's database work on every view: the page and the count, twice).
  const serverRows = initialPage?.query === apiQuery ? initialPage.data : undefined;
  const query = useQuery({
    queryKey: ["customers", apiQuery],
    queryFn: () => fetchCustomers(apiQuery),
    placeholderData: keepPreviousData,
    staleTime: (q) => (serverRows !== undefined && q.state.data === serverRows ? SERVER_ROWS_FRESH_MS : 0),
    initialData: serverRows,
  });

  const [search, setSearch] = React.useState(state.q);
  const [urlQ, setUrlQ] = React.useState(state.q);
  if (urlQ !== state.q) {
    // The URL changed (our debounced update, or the back button): follow it.
    setUrlQ(state.q);
    if (search.trim() !== state.q) setSearch(state.q);
  }

  const update = React.useCallback(
    (changes: Partial<Record<CustomerListKey, string>>) => {
      const next = new URLSearchParams(searchParams.toString());
      for (const [key, value] of Object.entries(changes)) {
        if (value) next.set(key, value);
        else next.delete(key);
      }
      // Any change other than paging starts again at page 1.
      if (!("page" in changes)) next.delete("page");
      const qs = next.toString();
      router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
    },
    [pathname, router, searchParams],
  );

  React.useEffect(() => {
    const trimmed = search.trim();
    if (trimmed === state.q) return;
    const timer = setTimeout(() => update({ q: trimmed }), 300);
    return () => clearTimeout(timer);
  }, [search, state.q, update]);

  const showAppFilter = !fixedAppId && apps.length > 1;
  const filtered = Boolean(state.q || state.type || state.status || state.lastPull || (!fixedAppId && state.appId));
  const data = query.data;
  const newHref = fixedAppId ? `/customers/new?appId=${fixedAppId}` : "/customers/new";

  return (
    <div className="grid gap-4 [&>*]:min-w-0">
      <div className="flex flex-col gap-2 lg:flex-row lg:items-center">
        <div className="relative flex-1">
          <Search className="pointer-events-none absolute left-3 top-1/2 size-4 -translate-y-1/2 text-zinc-400" aria-hidden />
          <Input
            type="search"
            aria-label="Search customers"
            placeholder="Search name, email, custom ID or license ID"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            className="pl-9"
            maxLength={200}
          />
        </div>
        <div className="grid grid-cols-2 gap-2 sm:flex sm:flex-wrap">
          {showAppFilter ? (
            <Select aria-label="App" value={state.appId} onChange={(e) => update({ appId: e.target.value })} className="sm:w-40">
              <option value="">All apps</option>
              {apps.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </Select>
          ) : null}
          <Select aria-label="Type" value={state.type} onChange={(e) => update({ type: e.target.value })} className="sm:w-32">
            <option value="">All types</option>
            {customerTypes.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </Select>
          <Select aria-label="Status" value={state.status} onChange={(e) => update({ status: e.target.value })} className="sm:w-40">
            <option value="">All statuses</option>
            {customerStatusFilters.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </Select>
          <Select aria-label="Last pull" value={state.lastPull} onChange={(e) => update({ lastPull: e.target.value })} className="sm:w-48">
            <option value="">Any last pull</option>
            {customerLastPullFilters.map((f) => (
              <option key={f} value={f}>
                {LAST_PULL_LABELS[f]}
              </option>
            ))}
          </Select>
          <div className={showAppFilter ? "col-span-2 flex gap-2 sm:col-span-1" : "flex gap-2"}>
            <Select aria-label="Sort by" value={sort} onChange={(e) => update({ sort: e.target.value, order: "" })} className="flex-1 sm:w-36">
              {customerSorts.map((s) => (
                <option key={s} value={s}>
                  {SORT_LABELS[s]}
                </option>
              ))}
            </Select>
            <Button
              variant="secondary"
              size="icon"
              aria-label={order === "asc" ? "Ascending order (switch to descending)" : "Descending order (switch to ascending)"}
              onClick={() => update({ order: order === "asc" ? "desc" : "asc" })}
            >
              {order === "asc" ? <ArrowUp aria-hidden /> : <ArrowDown aria-hidden />}
            </Button>
          </div>
        </div>
      </div>

      {query.isError ? (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-700">
          {query.error.message}{" "}
          <button className="font-medium underline" onClick={() => query.refetch()}>
            Retry
          </button>
        </div>
      ) : null}

      {!data ? (
        query.isError ? null : (
          <Card className="grid gap-3 p-4" aria-busy="true" aria-label="Loading customers">
            {Array.from({ length: 5 }, (_, i) => (
              <Skeleton key={i} className="h-9" />
            ))}
          </Card>
        )
      ) : data.total === 0 && !filtered ? (
        <EmptyState
          icon={Users}
          title="No customers yet"
          action={
            canWrite && apps.length > 0 ? (
              <Button asChild>
                <Link href={newHref}>
                  <Plus aria-hidden />
                  Add a customer
                </Link>
              </Button>
            ) : canWrite ? (
              <Button asChild>
                <Link href="/apps/new">Create an app first</Link>
              </Button>
            ) : null
          }
        >
          {apps.length === 0
            ? "Customers belong to an app. Create an app, then add the customers who may pull its images."
            : "Add a customer to issue a license ID: it is the password their cluster uses to pull your images through Pullgate."}
        </EmptyState>
      ) : data.total === 0 ? (
        <EmptyState icon={Search} title="No customers match" action={<ClearFilters onClear={() => { setSearch(""); update({ q: "", type: "", status: "", lastPull: "", appId: "" }); }} />}>
          Nothing matches these filters. A license ID must be typed in full; names, emails and custom IDs match on any part.
        </EmptyState>
      ) : (
        <Card className={query.isFetching ? "opacity-70 transition-opacity" : "transition-opacity"}>
          <Table>
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead>Customer</TableHead>
                <TableHead>Status</TableHead>
                <TableHead className="hidden md:table-cell">Type</TableHead>
                {!fixedAppId ? <TableHead className="hidden lg:table-cell">App</TableHead> : null}
                <TableHead className="hidden sm:table-cell">Expires</TableHead>
                <TableHead>Last pull</TableHead>
                <TableHead className="hidden xl:table-cell">License ID</TableHead>
                <TableHead className="hidden md:table-cell">Created</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {data.customers.map((c) => (
                <TableRow key={c.id}>
                  <TableCell className="max-w-[16rem]">
                    {/* No prefetch: 25 rows would mean 25 requests to the server on every page of the list. */}
                    <Link href={`/customers/${c.id}`} className="block truncate font-medium text-zinc-900 hover:underline" prefetch={false}>
                      {c.name}
                    </Link>
                    <span className="block truncate text-xs text-zinc-500">{c.email ?? c.customId ?? "No email"}</span>
                  </TableCell>
                  <TableCell>
                    <LicenseStatusBadge status={c.license.status} label={c.statusLabel} />
                  </TableCell>
                  <TableCell className="hidden capitalize md:table-cell">{c.type}</TableCell>
                  {!fixedAppId ? <TableCell className="hidden max-w-[10rem] truncate lg:table-cell">{c.appName}</TableCell> : null}
                  <TableCell className="hidden whitespace-nowrap sm:table-cell">{formatDate(c.license.expiresAt, "Never")}</TableCell>
                  <TableCell className="whitespace-nowrap" data-testid="last-pull">
                    <LastPull value={c.lastPullAt} now={query.dataUpdatedAt} />
                  </TableCell>
                  <TableCell className="hidden font-mono text-xs xl:table-cell">{c.license.licenseId}</TableCell>
                  <TableCell className="hidden whitespace-nowrap md:table-cell">{formatDate(c.createdAt)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <Pagination
            className="border-t border-zinc-100 px-4"
            page={data.page}
            pageSize={data.pageSize}
            total={data.total}
            onPageChange={(p) => update({ page: String(p) })}
          />
        </Card>
      )}
    </div>
  );
}

function ClearFilters({ onClear }: { onClear: () => void }) {
  return (
    <Button variant="secondary" onClick={onClear}>
      <X aria-hidden />
      Clear search and filters
    </Button>
  );
}
