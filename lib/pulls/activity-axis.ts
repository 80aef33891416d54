import type { PullActivityDay } from "@/lib/pulls/pull-activity";

/** The y axis of the pull activity chart: its top and its tick values, whole numbers from 0. */
export type ActivityAxis = { max: number; ticks: number[] };

/** The stacked height of a day: all its outcomes together. */
export function dayTotal(d: PullActivityDay): number {
  return d.pulls + d.denied + d.notFound + d.upstreamErrors;
}

/**
 * A round top at or above the highest day and at most 5 ticks (0 included),
 * spaced by 1, 2, 2.5 or 5 times a power of ten, never a fraction: 1,234
 * gives 0, 500, 1,000, 1,500 with the top at 1,500. An empty period gets 0
 * and 1 (a flat chart with a scale).
 */
export function activityAxis(days: readonly PullActivityDay[]): ActivityAxis {
  const highest = Math.max(0, ...days.map(dayTotal));
  if (highest === 0) return { max: 1, ticks: [0, 1] };
  let step = 1;
  for (let power = 1; ; power *= 10) {
    const found = [1, 2, 2.5, 5].map((f) => f * power).find((s) => Number.isInteger(s) && Math.ceil(highest / s) <= 4);
    if (found) {
      step = found;
      break;
    }
  }
  const max = Math.ceil(highest / step) * step;
  const ticks: number[] = [];
  for (let t = 0; t <= max; t += step) ticks.push(t);
  return { max, ticks };
}
