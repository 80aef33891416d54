import Link from "next/link";
import { Filter } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { auditTargetTypes } from "@/lib/audit/schemas";

export const KNOWN_AUDIT_ACTIONS = [
  "app.create",
  "app.rename",
  "app.delete",
  "customer.create",
  "customer.update",
  "customer.archive",
  "customer.unarchive",
  "license.update",
  "member.add",
  "invitation.create",
  "invitation.revoke",
  "invitation.accept",
  "invitation.decline",
  "member.change_role",
  "member.remove",
  "api_token.create",
  "api_token.revoke",
];

export const TARGET_LABELS: Record<(typeof auditTargetTypes)[number], string> = {
  app: "App",
  customer: "Customer",
  license: "License",
  member: "Member",
  api_token: "API token",
  registry: "Registry",
  domain: "Domain",
  team: "Team",
  invitation: "Invitation",
  user: "Account",
  webhook: "Webhook",
};

export type AuditFilterValues = { targetType: string; action: string; actor: string; from: string; to: string };

/** A plain GET form: the URL holds the filters, so a filtered view can be shared. */
export function AuditFilters({ values }: { values: AuditFilterValues }) {
  const active = Object.values(values).some(Boolean);
  return (
    <form method="get" action="/audit" className="grid gap-3 rounded-lg border border-zinc-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-[repeat(5,minmax(0,1fr))_auto]">
      <div className="grid gap-1.5">
        <Label htmlFor="audit-target">Target</Label>
        <Select id="audit-target" name="targetType" defaultValue={values.targetType}>
          <option value="">All targets</option>
          {auditTargetTypes.map((t) => (
            <option key={t} value={t}>
              {TARGET_LABELS[t]}
            </option>
          ))}
        </Select>
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="audit-action">Action</Label>
        <Input id="audit-action" name="action" list="audit-actions" defaultValue={values.action} placeholder="customer.archive" />
        <datalist id="audit-actions">
          {KNOWN_AUDIT_ACTIONS.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="audit-actor">Actor</Label>
        <Input id="audit-actor" name="actor" defaultValue={values.actor} placeholder="email or token name" />
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="audit-from">From (UTC)</Label>
        <Input id="audit-from" name="from" type="date" defaultValue={values.from} />
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="audit-to">To (UTC)</Label>
        <Input id="audit-to" name="to" type="date" defaultValue={values.to} />
      </div>
      <div className="flex items-end gap-2 sm:col-span-2 lg:col-span-1">
        <Button type="submit" variant="secondary" className="flex-1 lg:flex-none">
          <Filter aria-hidden />
          Filter
        </Button>
        {active ? (
          <Button variant="ghost" asChild>
            <Link href="/audit">Clear</Link>
          </Button>
        ) : null}
      </div>
    </form>
  );
}
