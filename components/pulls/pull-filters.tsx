import Link from "next/link";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { OUTCOME_LABELS } from "@/components/pulls/outcome";
import { pullActions, pullOutcomes, type PullKind } from "@/lib/pulls/schemas";

export type PullFilterValues = {
  kind: PullKind;
  customerId?: string;
  customerName?: string | null;
  image?: string;
  action?: string;
  outcome?: string;
  range?: string;
};

export const TIME_RANGES = { "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000, "90d": 90 * 86_400_000 } as const;

/** Start of a named time range ("7d", or any "<n>d"), or undefined for "all". */
export function sinceForRange(range: string, now = new Date()): string | undefined {
  const days = /^(\d{1,3})d$/.exec(range);
  const ms = TIME_RANGES[range as keyof typeof TIME_RANGES] ?? (days ? Number(days[1]) * 86_400_000 : undefined);
  return ms ? new Date(now.getTime() - ms).toISOString() : undefined;
}

/** The URL of this page with some values changed (empty ones removed). */
export function pullsHref(values: PullFilterValues, changes: Partial<Record<keyof PullFilterValues, string | undefined>> = {}): string {
  const merged: Record<string, string | undefined | null> = { ...values, ...changes };
  const params = new URLSearchParams();
  for (const key of ["kind", "customerId", "image", "action", "outcome", "range"] as const) {
    const value = merged[key];
    if (value && !(key === "kind" && value === "pulls")) params.set(key, value);
  }
  const qs = params.toString();
  return qs ? `/pulls?${qs}` : "/pulls";
}

/** Pulls or the raw request log: a two-way switch that keeps the other filters. */
export function PullKindToggle({ values }: { values: PullFilterValues }) {
  const options: { kind: PullKind; label: string }[] = [
    { kind: "pulls", label: "Pulls" },
    { kind: "requests", label: "Request log" },
  ];
  return (
    <nav aria-label="Show" className="inline-flex rounded-md border border-zinc-200 bg-white p-0.5 shadow-xs">
      {options.map((o) => (
        <Link
          key={o.kind}
          href={pullsHref(values, { kind: o.kind, action: o.kind === "pulls" ? undefined : values.action })}
          aria-current={values.kind === o.kind ? "page" : undefined}
          className={
            values.kind === o.kind
              ? "rounded bg-zinc-900 px-3 py-1.5 text-sm font-medium text-white"
              : "rounded px-3 py-1.5 text-sm font-medium text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900"
          }
        >
          {o.label}
        </Link>
      ))}
    </nav>
  );
}

/** A plain GET form: filters live in the URL, so views can be shared and bookmarked. */
export function PullFilters({ values }: { values: PullFilterValues }) {
  const requests = values.kind === "requests";
  return (
    <form
      method="get"
      className={`grid grid-cols-2 gap-3 rounded-lg border border-zinc-200 bg-white p-4 shadow-xs ${requests ? "lg:grid-cols-[1fr_9rem_10rem_10rem_auto]" : "lg:grid-cols-[1fr_11rem_10rem_auto]"}`}
      aria-label="Filter pulls"
    >
      {values.customerId ? <input type="hidden" name="customerId" value={values.customerId} /> : null}
      {requests ? <input type="hidden" name="kind" value="requests" /> : null}
      <div className="col-span-2 grid gap-1.5 lg:col-span-1">
        <Label htmlFor="pull-image">Image</Label>
        <Input id="pull-image" name="image" placeholder="e.g. acme/api" defaultValue={values.image ?? ""} />
      </div>
      {requests ? (
        <div className="grid gap-1.5">
          <Label htmlFor="pull-action">Action</Label>
          <Select id="pull-action" name="action" defaultValue={values.action ?? ""}>
            <option value="">All actions</option>
            {pullActions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </Select>
        </div>
      ) : null}
      <div className="grid gap-1.5">
        <Label htmlFor="pull-outcome">Outcome</Label>
        <Select id="pull-outcome" name="outcome" defaultValue={values.outcome ?? ""}>
          <option value="">Any outcome</option>
          {pullOutcomes.map((o) => (
            <option key={o} value={o}>
              {OUTCOME_LABELS[o]}
            </option>
          ))}
        </Select>
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="pull-range">Time range</Label>
        <Select id="pull-range" name="range" defaultValue={values.range ?? "7d"}>
          <option value="1h">Last hour</option>
          <option value="24h">Last 24 hours</option>
          <option value="7d">Last 7 days</option>
          <option value="30d">Last 30 days</option>
          <option value="90d">Last 90 days</option>
          <option value="all">All time</option>
        </Select>
      </div>
      <div className="col-span-2 flex items-end justify-end gap-2 lg:col-span-1 lg:justify-start">
        <Button type="submit" variant="secondary">
          Apply
        </Button>
        <Button asChild variant="ghost">
          <Link href={requests ? "/pulls?kind=requests" : "/pulls"}>Reset</Link>
        </Button>
      </div>
      {values.customerId ? (
        <p className="col-span-2 text-sm text-zinc-600 lg:col-span-5">
          Showing {requests ? "requests" : "pulls"} by <span className="font-medium text-zinc-900">{values.customerName ?? "one customer"}</span> ·{" "}
          <Link className="underline underline-offset-2" href={pullsHref(values, { customerId: undefined })}>
            show every customer
          </Link>
        </p>
      ) : null}
    </form>
  );
}
