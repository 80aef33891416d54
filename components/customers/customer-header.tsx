import Link from "next/link";
import { LicenseStatusBadge } from "@/components/customers/license-status-badge";
import type { LicenseStatus } from "@/lib/licenses/license-status";
import { cn } from "@/lib/utils/cn";

type Props = {
  customer: { id: string; name: string };
  app: { id: string; name: string };
  status: { status: LicenseStatus; label: string };
  active: "overview" | "install";
  actions?: React.ReactNode;
};

/** Title, status and the Overview / Install tabs shared by a customer's pages. */
export function CustomerHeader({ customer, app, status, active, actions }: Props) {
  const tabs = [
    { key: "overview", label: "Overview", href: `/customers/${customer.id}` },
    { key: "install", label: "Install", href: `/customers/${customer.id}/install` },
  ] as const;
  return (
    <div className="mb-6">
      <div className="mb-1.5 flex items-center gap-1.5 text-sm text-zinc-500">
        <Link href="/customers" className="hover:text-zinc-900">
          Customers
        </Link>
        <span aria-hidden>/</span>
        <Link href={`/apps/${app.id}`} className="truncate hover:text-zinc-900">
          {app.name}
        </Link>
      </div>
      <div className="flex flex-col gap-4 sm:flex-row sm:items-start sm:justify-between">
        <div className="flex min-w-0 flex-wrap items-center gap-3">
          <h1 className="truncate text-2xl font-semibold tracking-tight text-zinc-900">{customer.name}</h1>
          <LicenseStatusBadge status={status.status} label={status.label} />
        </div>
        {actions ? <div className="flex shrink-0 flex-wrap items-center gap-2">{actions}</div> : null}
      </div>
      <nav aria-label="Customer sections" className="mt-5 flex gap-1 border-b border-zinc-200">
        {tabs.map((tab) => (
          <Link
            key={tab.key}
            href={tab.href}
            aria-current={tab.key === active ? "page" : undefined}
            className={cn(
              "-mb-px border-b-2 px-3 pb-2.5 text-sm font-medium transition-colors",
              tab.key === active ? "border-zinc-900 text-zinc-900" : "border-transparent text-zinc-500 hover:text-zinc-900",
            )}
          >
            {tab.label}
          </Link>
        ))}
      </nav>
    </div>
  );
}
