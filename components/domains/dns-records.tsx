import { CopyButton } from "@/components/ui/copy-button";
import type { DomainDto } from "@/lib/domains/domain-dto";

/** The two records the vendor creates at their DNS provider, each value with a copy button. */
export function DnsRecords({ domain }: { domain: Pick<DomainDto, "hostname" | "cnameTarget" | "verification"> }) {
  const records = [
    { type: "CNAME", name: domain.hostname, value: domain.cnameTarget, purpose: "sends customers to the proxy" },
    { type: domain.verification.type, name: domain.verification.name, value: domain.verification.value, purpose: "proves you own the domain" },
  ];
  return (
    <div className="overflow-x-auto rounded-md border border-zinc-200">
      <table className="w-full text-sm" aria-label={`DNS records for ${domain.hostname}`}>
        <thead className="bg-zinc-50 text-left text-xs text-zinc-500">
          <tr>
            <th className="px-3 py-2 font-medium">Type</th>
            <th className="px-3 py-2 font-medium">Name</th>
            <th className="px-3 py-2 font-medium">Value</th>
          </tr>
        </thead>
        <tbody>
          {records.map((record) => (
            <tr key={record.type} className="border-t border-zinc-200 align-top" data-testid={`record-${record.type.toLowerCase()}`}>
              <td className="px-3 py-2">
                <span className="font-mono text-xs font-semibold">{record.type}</span>
                <span className="block text-xs text-zinc-500">{record.purpose}</span>
              </td>
              <td className="px-3 py-2">
                <span className="flex items-center gap-1">
                  <code className="break-all font-mono text-[13px]">{record.name}</code>
                  <CopyButton value={record.name} label={`Copy ${record.type} record name`} size="icon-sm" />
                </span>
              </td>
              <td className="px-3 py-2">
                <span className="flex items-center gap-1">
                  <code className="break-all font-mono text-[13px]">{record.value}</code>
                  <CopyButton value={record.value} label={`Copy ${record.type} record value`} size="icon-sm" />
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
