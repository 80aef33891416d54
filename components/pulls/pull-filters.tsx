import Link from "next/link";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { pullActions } from "@/lib/pulls/schemas";

export type PullFilterValues = { customerId?: string; customerName?: string | null; image?: string; action?: string; outcome?: string; range?: string };

export const TIME_RANGES = { "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 } as const;

/** Start of a named time range ("7d"), or undefined for "all". */
export function sinceForRange(range: string, now = new Date()): string | undefined {
  const ms = TIME_RANGES[range as keyof typeof TIME_RANGES];
  return ms ? new Date(now.getTime() - ms).toISOString() : undefined;
}

/** A plain GET form: filters live in the URL, so views can be shared and bookmarked. */
export function PullFilters({ values }: { values: PullFilterValues }) {
  return (
    <form method="get" className="grid grid-cols-2 gap-3 rounded-lg border border-zinc-200 bg-white p-4 shadow-xs lg:grid-cols-[1fr_10rem_10rem_10rem_auto]" aria-label="Filter pulls">
      {values.customerId ? <input type="hidden" name="customerId" value={values.customerId} /> : null}
      <div className="col-span-2 grid gap-1.5 lg:col-span-1">
        <Label htmlFor="pull-image">Image</Label>
        <Input id="pull-image" name="image" placeholder="e.g. acme/api" defaultValue={values.image ?? ""} />
      </div>
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
      <div className="grid gap-1.5">
        <Label htmlFor="pull-outcome">Status</Label>
        <Select id="pull-outcome" name="outcome" defaultValue={values.outcome ?? ""}>
          <option value="">Any status</option>
          <option value="success">Succeeded</option>
          <option value="denied">Denied</option>
          <option value="error">Failed</option>
        </Select>
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="pull-range">Time range</Label>
        <Select id="pull-range" name="range" defaultValue={values.range ?? "7d"}>
          <option value="1h">Last hour</option>
          <option value="24h">Last 24 hours</option>
          <option value="7d">Last 7 days</option>
          <option value="30d">Last 30 days</option>
          <option value="all">All time</option>
        </Select>
      </div>
      <div className="flex items-end justify-end gap-2 lg:justify-start">
        <Button type="submit" variant="secondary">
          Apply
        </Button>
        <Button asChild variant="ghost">
          <Link href="/pulls">Reset</Link>
        </Button>
      </div>
      {values.customerId ? (
        <p className="col-span-2 text-sm text-zinc-600 lg:col-span-5">
          Showing pulls by <span className="font-medium text-zinc-900">{values.customerName ?? "one customer"}</span> ·{" "}
          <Link className="underline underline-offset-2" href="/pulls">
            show every customer
          </Link>
        </p>
      ) : null}
    </form>
  );
}
