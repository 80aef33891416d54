import type { PullTotals } from "@/lib/pulls/pull-activity";

const FIGURES = [
  { key: "pulls", label: "Pulled", testId: "total-pulls" },
  { key: "denied", label: "Denied", testId: "total-denied" },
  { key: "notFound", label: "Not found", testId: "total-not-found" },
  { key: "upstreamErrors", label: "Upstream errors", testId: "total-upstream-errors" },
] as const;

/** The period's figures above the chart: denials are license refusals only; not-found and upstream errors are counted apart. */
export function PullTotalsRow({ totals }: { totals: PullTotals }) {
  return (
    <dl className="grid grid-cols-2 gap-x-6 gap-y-3 sm:grid-cols-4">
      {FIGURES.map((f) => (
        <div key={f.key} className="grid gap-0.5">
          <dt className="text-xs font-medium text-zinc-500">{f.label}</dt>
          <dd className="text-xl font-semibold tabular-nums text-zinc-900" data-testid={f.testId}>
            {totals[f.key].toLocaleString("en-US")}
          </dd>
        </div>
      ))}
    </dl>
  );
}
