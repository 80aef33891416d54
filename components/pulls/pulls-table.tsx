import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { OutcomeBadge, REASON_LABELS } from "@/components/pulls/outcome";
import type { PullEventDto } from "@/lib/pulls/pull-event-dto";
import type { PullKind } from "@/lib/pulls/schemas";
import { formatBytes, shortDigest, shownReference, splitAppImage, statusVariant } from "@/components/pulls/format";

// Short enough that the table fits beside the sidebar; the full instant is in the title.
const timeFormat = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZone: "UTC" });

/** The image (registry segment and path) on top, its app below: the app slug repeats on every row of a one-app team. */
function Image({ pull }: { pull: PullEventDto }) {
  const { app, image } = splitAppImage(pull.repository);
  return (
    <span className="grid min-w-0 leading-tight" title={pull.repository}>
      <span className="truncate font-mono text-xs text-zinc-900">{image || "—"}</span>
      {app ? <span className="truncate text-[11px] text-zinc-500">{app}</span> : null}
    </span>
  );
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

function RequestStatus({ pull }: { pull: PullEventDto }) {
  return (
    <span className="inline-flex flex-wrap items-center gap-1" title={pull.upstreamError ?? undefined}>
      <Badge variant={statusVariant(pull.status)} title={pull.reason ? REASON_LABELS[pull.reason] : undefined}>
        {pull.status}
      </Badge>
      {pull.cacheHit ? <Badge variant="info">cache</Badge> : null}
      {pull.isPull ? <Badge variant="outline">pull</Badge> : null}
    </span>
  );
}

function Customer({ pull }: { pull: PullEventDto }) {
  return pull.customerId ? (
    // No prefetch: a page of pulls would otherwise send the server a request per row as soon as it shows.
    <Link className="font-medium text-zinc-900 hover:underline" href={`/customers/${pull.customerId}`} prefetch={false}>
      {pull.customerName ?? "Customer"}
    </Link>
  ) : (
    <span className="text-zinc-400">{pull.reason === "bad_credentials" ? "Unknown license" : "Unknown"}</span>
  );
}

/** The tag pulled, and the digest it resolved to. */
function Version({ pull }: { pull: PullEventDto }) {
  const digest = pull.digest ?? (pull.reference?.includes(":") ? pull.reference : null);
  return (
    <span className="grid min-w-0 leading-tight">
      <span className="truncate font-mono text-xs text-zinc-900">{pull.tag ?? (digest ? "by digest" : (pull.reference ?? "—"))}</span>
      {digest ? (
        <span className="truncate font-mono text-[11px] text-zinc-500" title={digest}>
          {shortDigest(digest)}
        </span>
      ) : null}
    </span>
  );
}

function Client({ pull }: { pull: PullEventDto }) {
  return (
    <span className="grid min-w-0 leading-tight" title={pull.userAgent ?? undefined}>
      <span className="truncate text-xs text-zinc-700">{pull.clientIp ?? "—"}</span>
      {pull.userAgent ? <span className="truncate text-[11px] text-zinc-500">{pull.userAgent}</span> : null}
    </span>
  );
}

type Props = { pulls: PullEventDto[]; showCustomer?: boolean; kind?: PullKind };

/**
 * Pulls (one row per pull, the default) or the raw request log: a table on
 * wide screens, a stacked list on phones. Columns that matter least go first
 * as the window narrows; every cell truncates with the full value in its title.
 */
export function PullsTable({ pulls, showCustomer = true, kind = "pulls" }: Props) {
  const requests = kind === "requests";
  return (
    <>
      <ul className="divide-y divide-zinc-100 md:hidden" aria-label={requests ? "Requests" : "Pulls"}>
        {pulls.map((p) => {
          const reference = shownReference(p);
          return (
            <li key={p.id} className="grid gap-1 px-4 py-3 text-sm" data-testid="pull-item">
              <div className="flex min-w-0 items-center justify-between gap-3">
                <span className="flex min-w-0 items-baseline gap-2">
                  {requests ? <Action pull={p} /> : null}
                  <span className="truncate font-mono text-xs text-zinc-900" title={p.repository}>
                    {splitAppImage(p.repository).image || "—"}
                    {!requests && p.tag ? `:${p.tag}` : ""}
                  </span>
                </span>
                <span className="shrink-0">{requests ? <RequestStatus pull={p} /> : <OutcomeBadge outcome={p.outcome} reason={p.reason} status={p.status} />}</span>
              </div>
              <div className="flex min-w-0 items-baseline gap-2 text-[13px]">
                {showCustomer ? (
                  <span className="min-w-0 truncate">
                    <Customer pull={p} />
                  </span>
                ) : null}
                {reference !== "—" && (requests || !p.tag) ? (
                  <span className="truncate font-mono text-xs text-zinc-500" title={p.digest ?? p.reference ?? undefined}>
                    {reference}
                  </span>
                ) : null}
              </div>
              <p className="truncate text-xs text-zinc-500" title={p.userAgent ?? undefined}>
                <Time value={p.time} /> UTC
                {requests && p.bytes ? ` · ${formatBytes(p.bytes)}` : ""}
                {p.clientIp ? ` · ${p.clientIp}` : ""}
                {p.userAgent ? ` · ${p.userAgent}` : ""}
              </p>
            </li>
          );
        })}
      </ul>
      <Table className="hidden table-fixed md:table">
        <colgroup>
          <col className="w-36" />
          {showCustomer ? <col className="w-[15%]" /> : null}
          {requests ? <col className="w-24" /> : null}
          <col />
          <col className="w-32" />
          <col className={requests ? "w-40" : "w-48"} />
          {requests ? <col className="w-20" /> : null}
          <col className="hidden w-[16%] lg:table-column" />
        </colgroup>
        <TableHeader>
          <TableRow className="hover:bg-transparent">
            <TableHead>Time (UTC)</TableHead>
            {showCustomer ? <TableHead>Customer</TableHead> : null}
            {requests ? <TableHead>Action</TableHead> : null}
            <TableHead>Image</TableHead>
            <TableHead>{requests ? "Reference" : "Version"}</TableHead>
            <TableHead>{requests ? "Status" : "Outcome"}</TableHead>
            {requests ? <TableHead className="text-right">Size</TableHead> : null}
            <TableHead className="hidden lg:table-cell">Client</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {pulls.map((p) => (
            <TableRow key={p.id} data-testid="pull-row" data-outcome={p.outcome}>
              <TableCell className="truncate text-xs tabular-nums text-zinc-500">
                <Time value={p.time} />
              </TableCell>
              {showCustomer ? (
                <TableCell className="truncate">
                  <Customer pull={p} />
                </TableCell>
              ) : null}
              {requests ? (
                <TableCell>
                  <Action pull={p} />
                </TableCell>
              ) : null}
              <TableCell>
                <Image pull={p} />
              </TableCell>
              <TableCell className="truncate font-mono text-xs" title={p.digest ?? p.reference ?? undefined}>
                {requests ? shownReference(p) : <Version pull={p} />}
              </TableCell>
              <TableCell>{requests ? <RequestStatus pull={p} /> : <OutcomeBadge outcome={p.outcome} reason={p.reason} status={p.status} />}</TableCell>
              {requests ? <TableCell className="whitespace-nowrap text-right text-xs tabular-nums">{p.bytes ? formatBytes(p.bytes) : "—"}</TableCell> : null}
              <TableCell className="hidden lg:table-cell">
                <Client pull={p} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}
