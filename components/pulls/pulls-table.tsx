import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { PullEventDto } from "@/lib/pulls/pull-event-dto";
import { formatBytes, shortDigest, statusVariant } from "@/components/pulls/format";

const timeFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

/** One row per registry request a customer made through the proxy. */
export function PullsTable({ pulls, showCustomer = true }: { pulls: PullEventDto[]; showCustomer?: boolean }) {
  return (
    <Table>
      <TableHeader>
        <TableRow>
          <TableHead>Time (UTC)</TableHead>
          {showCustomer ? <TableHead>Customer</TableHead> : null}
          <TableHead>Action</TableHead>
          <TableHead>Image</TableHead>
          <TableHead>Reference</TableHead>
          <TableHead>Status</TableHead>
          <TableHead className="text-right">Bytes</TableHead>
          <TableHead>Client</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {pulls.map((p) => (
          <TableRow key={p.id} data-testid="pull-row">
            <TableCell className="whitespace-nowrap text-zinc-500">{timeFormat.format(new Date(p.time))}</TableCell>
            {showCustomer ? (
              <TableCell className="whitespace-nowrap">
                {p.customerId ? (
                  <Link className="font-medium text-zinc-900 hover:underline" href={`/customers/${p.customerId}`}>
                    {p.customerName ?? "Customer"}
                  </Link>
                ) : (
                  <span className="text-zinc-400">—</span>
                )}
              </TableCell>
            ) : null}
            <TableCell>
              <span className="font-mono text-xs">
                {p.method === "HEAD" ? "HEAD " : ""}
                {p.action}
              </span>
            </TableCell>
            <TableCell className="max-w-[22rem] truncate font-mono text-xs" title={p.repository}>
              {p.repository.replace(/^proxy\//, "") || "—"}
            </TableCell>
            <TableCell className="max-w-[12rem] truncate font-mono text-xs" title={p.digest ?? p.reference ?? undefined}>
              {p.reference && !p.reference.includes(":") ? p.reference : (shortDigest(p.digest ?? p.reference) ?? "—")}
            </TableCell>
            <TableCell>
              <Badge variant={statusVariant(p.status)}>{p.status}</Badge>
              {p.cacheHit ? (
                <Badge variant="info" className="ml-1">
                  cache
                </Badge>
              ) : null}
            </TableCell>
            <TableCell className="whitespace-nowrap text-right tabular-nums">{p.bytes ? formatBytes(p.bytes) : "—"}</TableCell>
            <TableCell className="max-w-[14rem] truncate text-xs text-zinc-500" title={p.userAgent ?? undefined}>
              {p.clientIp ?? "—"}
              {p.userAgent ? <span className="ml-1 text-zinc-400">· {p.userAgent.split(" ")[0]}</span> : null}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
