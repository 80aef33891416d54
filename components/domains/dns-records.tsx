import { CopyButton } from "@/components/ui/copy-button";
import type { DomainDto } from "@/lib/domains/domain-dto";

/**
 * The two records the vendor creates at their DNS provider, each value with a copy button.
 * Three columns on wide screens; on phones each record stacks its name and value, so long
 * host names and tokens wrap in full width instead of in narrow columns.
 */
export function DnsRecords({ domain }: { domain: Pick<DomainDto, "hostname" | "cnameTarget" | "verification"> }) {
  const records = [
    { type: "CNAME", name: domain.hostname, value: domain.cnameTarget, purpose: "sends customers to the proxy" },
    { type: domain.verification.type, name: domain.verification.name, value: domain.verification.value, purpose: "proves you own the domain" },
  ];
  return (
    <div className="rounded-md border border-zinc-200 text-sm">
      <div className="hidden grid-cols-[10rem_minmax(0,1fr)_minmax(0,1fr)] gap-4 rounded-t-md bg-zinc-50 px-3 py-2 text-xs font-medium text-zinc-500 md:grid" aria-hidden>
        <span>Type</span>
        <span>Name</span>
        <span>Value</span>
      </div>
      <ul aria-label={`DNS records for ${domain.hostname}`} className="divide-y divide-zinc-200 md:border-t md:border-zinc-200">
        {records.map((record) => (
          <li
            key={record.type}
            className="grid gap-2 px-3 py-2.5 md:grid-cols-[10rem_minmax(0,1fr)_minmax(0,1fr)] md:gap-4"
            data-testid={`record-${record.type.toLowerCase()}`}
          >
            <div>
              <span className="font-mono text-xs font-semibold">{record.type}</span>
              <span className="ml-2 text-xs text-zinc-500 md:ml-0 md:block">{record.purpose}</span>
            </div>
            <RecordValue label="Name" value={record.name} copyLabel={`Copy ${record.type} record name`} />
            <RecordValue label="Value" value={record.value} copyLabel={`Copy ${record.type} record value`} />
          </li>
        ))}
      </ul>
    </div>
  );
}

function RecordValue({ label, value, copyLabel }: { label: string; value: string; copyLabel: string }) {
  return (
    <div className="grid min-w-0 grid-cols-[3rem_minmax(0,1fr)_auto] items-start gap-x-2 md:flex md:gap-1">
      <span className="pt-0.5 text-xs text-zinc-500 md:hidden">{label}</span>
      <code className="min-w-0 break-all pt-0.5 font-mono text-[13px]">{value}</code>
      <CopyButton value={value} label={copyLabel} size="icon-sm" />
    </div>
  );
}
