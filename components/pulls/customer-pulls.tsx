import Link from "next/link";
import { Activity, Package } from "lucide-react";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { PullsTable } from "@/components/pulls/pulls-table";
import { imageName, shortDigest } from "@/components/pulls/format";
import type { Actor } from "@/lib/auth/actor";
import { listPullEvents } from "@/lib/pulls/list-pull-events";
import type { PullEventDto } from "@/lib/pulls/pull-event-dto";
import { listVersionsInUse, type VersionInUse } from "@/lib/pulls/versions-in-use";

const dateFormat = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", hourCycle: "h23", timeZone: "UTC" });

export type CustomerPullsData = { versions: VersionInUse[]; pulls: PullEventDto[] };

/**
 * What CustomerPulls shows, team-scoped. The page starts it before it reads
 * the customer, so these reads run alongside the page's own instead of after.
 */
export async function loadCustomerPulls(actor: Pick<Actor, "teamId">, customerId: string): Promise<CustomerPullsData> {
  const [versions, { pulls }] = await Promise.all([listVersionsInUse(actor, customerId), listPullEvents(actor, { customerId, limit: 10, kind: "pulls" })]);
  return { versions, pulls };
}

/** On a customer's page: what they run (latest version per image) and their recent requests. */
export async function CustomerPulls({ customerId, data }: { customerId: string; data: Promise<CustomerPullsData> }) {
  const { versions, pulls } = await data;
  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-6">
      <Card>
        <CardHeader>
          <CardTitle>Versions in use</CardTitle>
          <CardDescription>Per image, the tag this customer pulled most recently and the digest it was at that time.</CardDescription>
        </CardHeader>
        <CardContent className="p-0">
          {versions.length === 0 ? (
            <EmptyState icon={Package} title="No images pulled yet" className="m-5 py-8">
              Once this customer pulls an image, the tag or digest they run shows up here.
            </EmptyState>
          ) : (
            <>
              <ul className="divide-y divide-zinc-100 md:hidden" aria-label="Versions in use">
                {versions.map((v) => (
                  <li key={v.repository} className="grid gap-1 px-4 py-3 text-sm">
                    <div className="flex min-w-0 items-baseline justify-between gap-3">
                      <span className="truncate font-mono text-xs text-zinc-900">{imageName(v.repository)}</span>
                      <span className="shrink-0 text-xs tabular-nums text-zinc-500">{v.pulls} {v.pulls === 1 ? "pull" : "pulls"}</span>
                    </div>
                    <div className="flex min-w-0 items-baseline justify-between gap-3 text-xs">
                      <span className="truncate font-mono text-zinc-700" title={v.digest ?? undefined}>
                        {v.tag ?? "by digest"} {v.digest ? <span className="text-zinc-500">{shortDigest(v.digest)}</span> : null}
                      </span>
                      <span className="shrink-0 text-zinc-500">{dateFormat.format(new Date(v.lastPulledAt))} UTC</span>
                    </div>
                  </li>
                ))}
              </ul>
              <Table data-testid="versions-in-use" className="hidden md:table">
                <TableHeader>
                  <TableRow className="hover:bg-transparent">
                    <TableHead>Image</TableHead>
                    <TableHead>Tag</TableHead>
                    <TableHead>Digest</TableHead>
                    <TableHead>Last pulled (UTC)</TableHead>
                    <TableHead className="text-right">Pulls</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {versions.map((v) => (
                    <TableRow key={v.repository}>
                      <TableCell className="font-mono text-xs">{imageName(v.repository)}</TableCell>
                      <TableCell className="font-mono text-xs">{v.tag ?? <span className="text-zinc-500">by digest</span>}</TableCell>
                      <TableCell className="font-mono text-xs text-zinc-600" title={v.digest ?? undefined}>
                        {v.digest ? (
                          <span className="inline-flex items-center gap-1">
                            {shortDigest(v.digest)}
                            <CopyButton value={v.digest} label={`Copy digest of ${imageName(v.repository)}`} />
                          </span>
                        ) : (
                          "—"
                        )}
                      </TableCell>
                      <TableCell className="whitespace-nowrap text-xs tabular-nums text-zinc-500">{dateFormat.format(new Date(v.lastPulledAt))}</TableCell>
                      <TableCell className="text-right tabular-nums">{v.pulls}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </>
          )}
        </CardContent>
      </Card>
      <Card>
        <CardHeader className="flex flex-row items-start justify-between gap-4">
          <div>
            <CardTitle>Recent pulls</CardTitle>
            <CardDescription>This customer&apos;s last pulls through the proxy, with what happened to each.</CardDescription>
          </div>
          <Link className="shrink-0 text-sm font-medium text-zinc-900 underline-offset-4 hover:underline" href={`/pulls?customerId=${encodeURIComponent(customerId)}&range=all`}>
            View all
          </Link>
        </CardHeader>
        <CardContent className="p-0">
          {pulls.length === 0 ? (
            <EmptyState icon={Activity} title="No pulls yet" className="m-5">
              Send the customer their install instructions; their pulls show up here.
            </EmptyState>
          ) : (
            <PullsTable pulls={pulls} showCustomer={false} />
          )}
        </CardContent>
      </Card>
    </div>
  );
}
