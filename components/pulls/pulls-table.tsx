import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { PullEventDto } from "@/lib/pulls/pull-event-dto";
import { formatBytes, imageName, shownReference, statusVariant } from "@/components/pulls/format";

// Short enough that the table fits beside the sidebar; the full instant is in the title.
const timeFormat = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZone: "UTC" });

function imageOf(p: PullEventDto): string {
  return imageName(p.repository) || "—";
}

function Time({ value }: { value: string }) {
  return (
    <time dateTime={value} title={`${value.replace("T", " ").slice(0, 19)} UTC`}>
      {timeFormat.format(new Date(value))}
    </time>
  );
}

function Action({ pull }: { pull: PullEventDto }) {
  return (
    <span className="whitespace-nowrap font-mono text-xs text-zinc-900">
      {pull.method === "HEAD" ? <span className="text-zinc-500">HEAD </span> : null}
      {pull.action}
    </span>
  );
}

function Status({ pull }: { pull: PullEventDto }) {
  return (
    <span className="inline-flex items-center gap-1" title={pull.upstreamError ?? undefined}>
      <Badge variant={statusVariant(pull.status)}>{pull.status}</Badge>
      {pull.cacheHit ? <Badge variant="info">cache</Badge> : null}
    </span>
  );
}

function Customer({ pull }: { pull: PullEventDto }) {
  return pull.customerId ? (
    <Link className="font-medium text-zinc-900 hover:underline" href={`/customers/${pull.customerId}`}>
      {pull.customerName ?? "Customer"}
    </Link>
  ) : (
    <span className="text-zinc-400">Unknown</span>
  );
}

/** One row per registry request a customer made through the proxy: a table on wide screens, a stacked list on phones. */
export function PullsTable({ pulls, showCustomer = true }: { pulls: PullEventDto[]; showCustomer?: boolean }) {
  return (
    <>
      <ul className="divide-y divide-zinc-100 md:hidden" aria-label="Pulls">
        {pulls.map((p) => {
          const reference = shownReference(p);
          return (
            <li key={p.id} className="grid gap-1 px-4 py-3 text-sm" data-testid="pull-item">
              <div className="flex min-w-0 items-center justify-between gap-3">
                <span className="flex min-w-0 items-baseline gap-2">
                  <Action pull={p} />
                  {p.repository ? (
                    <span className="truncate font-mono text-xs text-zinc-700" title={p.repository}>
                      {imageOf(p)}
                    </span>
                  ) : null}
                </span>
                <span className="shrink-0">
                  <Status pull={p} />
                </span>
              </div>
              {showCustomer || reference !== "—" ? (
                <div className="flex min-w-0 items-baseline gap-2 text-[13px]">
                  {showCustomer ? (
                    <span className="min-w-0 truncate">
                      <Customer pull={p} />
                    </span>
                  ) : null}
                  {reference !== "—" ? (
                    <span className="truncate font-mono text-xs text-zinc-500" title={p.digest ?? p.reference ?? undefined}>
                      {reference}
                    </span>
                  ) : null}
                </div>
              ) : null}
              <p className="truncate text-xs text-zinc-500" title={p.userAgent ?? undefined}>
                <Time value={p.time} /> UTC
                {p.bytes ? ` · ${formatBytes(p.bytes)}` : ""}
                {p.clientIp ? ` · ${p.clientIp}` : ""}
              </p>
            </li>
          );
        })}
      </ul>
      <Table className="hidden md:table">
        <TableHeader>
          <TableRow className="hover:bg-transparent">
            <TableHead>Time (UTC)</TableHead>
            {showCustomer ? <TableHead>Customer</TableHead> : null}
            <TableHead>Action</TableHead>
            <TableHead>Image</TableHead>
            <TableHead>Reference</TableHead>
            <TableHead>Status</TableHead>
            <TableHead className="text-right">Size</TableHead>
            <TableHead className="hidden xl:table-cell">Client</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {pulls.map((p) => (
            <TableRow key={p.id} data-testid="pull-row">
              <TableCell className="whitespace-nowrap text-xs tabular-nums text-zinc-500">
                <Time value={p.time} />
              </TableCell>
              {showCustomer ? (
                <TableCell className="max-w-[12rem] truncate">
                  <Customer pull={p} />
                </TableCell>
              ) : null}
              <TableCell>
                <Action pull={p} />
              </TableCell>
              <TableCell className="max-w-[18rem] truncate font-mono text-xs" title={p.repository}>
                {imageOf(p)}
              </TableCell>
              <TableCell className="max-w-[10rem] truncate font-mono text-xs" title={p.digest ?? p.reference ?? undefined}>
                {shownReference(p)}
              </TableCell>
              <TableCell className="whitespace-nowrap">
                <Status pull={p} />
              </TableCell>
              <TableCell className="whitespace-nowrap text-right text-xs tabular-nums">{p.bytes ? formatBytes(p.bytes) : "—"}</TableCell>
              <TableCell className="hidden max-w-[12rem] truncate text-xs text-zinc-500 xl:table-cell" title={p.userAgent ?? undefined}>
                {p.clientIp ?? "—"}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}
