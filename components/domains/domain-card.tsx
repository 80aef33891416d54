import { TriangleAlert } from "lucide-react";
import { DnsRecords } from "@/components/domains/dns-records";
import { DomainActions } from "@/components/domains/domain-actions";
import { DomainStatusBadge } from "@/components/domains/domain-status-badge";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent } from "@/components/ui/card";
import type { DomainDto } from "@/lib/domains/domain-dto";
import { formatDateTime } from "@/lib/utils/format-date";

/** One custom domain: status and why, the records to create, and its actions. */
export function DomainCard({ domain, appName, writable }: { domain: DomainDto; appName: string | null; writable: boolean }) {
  return (
    <Card data-testid="domain-item" data-hostname={domain.hostname}>
      <CardContent className="grid gap-4 pt-5">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="grid min-w-0 gap-1.5">
            <div className="flex flex-wrap items-center gap-2">
              <h2 className="min-w-0 break-all font-mono text-[15px] font-semibold text-zinc-900">{domain.hostname}</h2>
              <DomainStatusBadge status={domain.status} />
              {domain.isDefault ? <Badge variant="info">Default</Badge> : null}
              <Badge variant="outline">{appName ? `Only ${appName}` : "All apps"}</Badge>
            </div>
            <p className="text-[13px] text-zinc-500">
              Last checked {formatDateTime(domain.lastCheckedAt, "never")}
              {domain.verifiedAt ? ` · verified ${formatDateTime(domain.verifiedAt)}` : ""}
            </p>
          </div>
          {writable ? <DomainActions domain={domain} /> : null}
        </div>
        {domain.status !== "verified" && domain.failureReason ? (
          <p role="status" className={domain.status === "failed" ? "text-sm text-red-700" : "text-sm text-zinc-600"} data-testid="domain-failure-reason">
            {domain.failureReason}
          </p>
        ) : null}
        {domain.cnameWarning ? (
          <p className="flex items-start gap-2 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="domain-cname-warning">
            <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
            {domain.cnameWarning}
          </p>
        ) : null}
        <DnsRecords domain={domain} />
        {domain.status === "pending" ? (
          <p className="text-[13px] text-zinc-500">
            Pullgate checks pending domains in the background (more slowly as time passes) and gives up after 72 hours.
          </p>
        ) : null}
      </CardContent>
    </Card>
  );
}
