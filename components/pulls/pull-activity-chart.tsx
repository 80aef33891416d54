import type { PullActivityDay } from "@/lib/pulls/pull-activity";
import { activityAxis } from "@/lib/pulls/activity-axis";

// Stacked per day, one colour per outcome, in the order the legend reads (bottom to top).
const SERIES = [
  { key: "pulls", name: "Pulled", color: "#18181b" },
  { key: "denied", name: "Denied", color: "#f59e0b" },
  { key: "notFound", name: "Not found", color: "#a1a1aa" },
  { key: "upstreamErrors", name: "Upstream errors", color: "#dc2626" },
] as const;

/** What hovering a day shows (its title): the day and each outcome's count. */
export function dayTitle(d: PullActivityDay): string {
  return `${d.day}: ${SERIES.map((s) => `${s.name} ${d[s.key].toLocaleString("en-US")}`).join(", ")}`;
}

/**
 * Pulls per day by outcome (the pull counting rule: proxy/pull-counting.ts).
 * Plain HTML and CSS rendered on the server: no chart library to download and
 * run before the page (and the table below it) is usable.
 */
export function PullActivityChart({ data }: { data: PullActivityDay[] }) {
  const { max, ticks } = activityAxis(data);
  const pct = (n: number) => `${(n / max) * 100}%`;
  // The y labels' column fits the longest of them (in the labels' own ch), and the x labels start where the plot does.
  const axisWidth = `${Math.max(...ticks.map((t) => t.toLocaleString("en-US").length)) + 1.5}ch`;
  return (
    // min-w-0: the day labels' widths must not widen the card on a phone (the chart takes the width it is given).
    <div className="flex h-56 w-full min-w-0 flex-col gap-2" role="img" aria-label={`Pulls per day by outcome over the last ${data.length} days`}>
      <div className="flex min-h-0 flex-1 pt-2">
        <div className="relative shrink-0 text-[11px] tabular-nums text-zinc-500" style={{ width: axisWidth }} aria-hidden>
          {ticks.map((t) => (
            <span key={t} className="absolute right-2 translate-y-1/2 leading-none" style={{ bottom: pct(t) }}>
              {t.toLocaleString("en-US")}
            </span>
          ))}
        </div>
        <div className="relative flex-1">
          {ticks.map((t) => (
            <div key={t} className="absolute inset-x-0 border-t border-zinc-200" style={{ bottom: pct(t) }} aria-hidden />
          ))}
          <div className="absolute inset-0 flex items-end gap-1 px-1 sm:gap-2">
            {data.map((d) => (
              <div key={d.day} className="flex h-full w-0 min-w-0 flex-1 flex-col-reverse hover:bg-zinc-100" title={dayTitle(d)} data-testid="activity-day" data-day={d.day}>
                {SERIES.map((s) =>
                  d[s.key] > 0 ? <div key={s.key} className="w-full last:rounded-t-[3px]" style={{ height: pct(d[s.key]), backgroundColor: s.color }} /> : null,
                )}
              </div>
            ))}
          </div>
        </div>
      </div>
      <div className="flex text-[11px] tabular-nums text-zinc-500" aria-hidden>
        <span className="shrink-0" style={{ width: axisWidth }} />
        <div className="flex flex-1 gap-1 px-1 sm:gap-2">
          {data.map((d, i) => (
            // Centred under its bar, wider than it if need be; every other label on narrow screens, where all of them would overlap.
            <span key={d.day} className={`flex w-0 min-w-0 flex-1 justify-center whitespace-nowrap ${i % 2 === 1 ? "max-sm:invisible" : ""}`}>
              {d.day.slice(5)}
            </span>
          ))}
        </div>
      </div>
      <ul className="flex flex-wrap justify-center gap-x-4 gap-y-1 text-xs text-zinc-700" data-testid="activity-legend">
        {SERIES.map((s) => (
          <li key={s.key} className="flex items-center gap-1.5">
            <span className="size-2.5" style={{ backgroundColor: s.color }} aria-hidden />
            {s.name}
          </li>
        ))}
      </ul>
    </div>
  );
}
