import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { PullActivityChart } from "@/components/pulls/pull-activity-chart";
import { activityAxis } from "@/lib/pulls/activity-axis";
import type { PullActivityDay } from "@/lib/pulls/pull-activity";

const day = (d: string, pulls: number, denied = 0, notFound = 0, upstreamErrors = 0): PullActivityDay => ({ day: d, pulls, denied, notFound, upstreamErrors });

describe("activityAxis", () => {
  it("rounds the top up to a step of 1, 2, 2.5 or 5 times a power of ten, at most 4 steps", () => {
    expect(activityAxis([day("2026-11-01", 1000, 200, 30, 4)])).toEqual({ max: 1500, ticks: [0, 500, 1000, 1500] });
    expect(activityAxis([day("2026-11-01", 7), day("2026-11-02", 3)])).toEqual({ max: 8, ticks: [0, 2, 4, 6, 8] });
    expect(activityAxis([day("2026-11-01", 100)])).toEqual({ max: 100, ticks: [0, 25, 50, 75, 100] });
    expect(activityAxis([day("2026-11-01", 1)])).toEqual({ max: 1, ticks: [0, 1] });
  });

  it("never uses a fractional step, and gives an empty period a scale of 0 to 1", () => {
    // 2.5 would fit 9 in 4 steps; whole pulls take 5.
    expect(activityAxis([day("2026-11-01", 9)])).toEqual({ max: 10, ticks: [0, 5, 10] });
    expect(activityAxis([day("2026-11-01", 0), day("2026-11-02", 0)])).toEqual({ max: 1, ticks: [0, 1] });
    expect(activityAxis([])).toEqual({ max: 1, ticks: [0, 1] });
  });
});

describe("PullActivityChart", () => {
  const data = [day("2026-11-29", 300, 60, 30, 10), day("2026-11-30", 0, 0, 0, 0)];
  const html = renderToStaticMarkup(createElement(PullActivityChart, { data }));

  it("is rendered on the server: a labelled image with a legend naming every outcome", () => {
    expect(html).toContain('role="img"');
    expect(html).toContain('aria-label="Pulls per day by outcome over the last 2 days"');
    const legend = html.slice(html.indexOf('data-testid="activity-legend"'));
    for (const name of ["Pulled", "Denied", "Not found", "Upstream errors"]) expect(legend).toContain(name);
  });

  it("shows each day's figures on hover and stacks the bars in proportion to the axis", () => {
    expect(html).toContain('title="2026-11-29: Pulled 300, Denied 60, Not found 30, Upstream errors 10"');
    expect(html).toContain('title="2026-11-30: Pulled 0, Denied 0, Not found 0, Upstream errors 0"');
    // 400 in all: the axis tops at 400, so 300 pulls fill 75 % and 10 upstream errors 2.5 %.
    expect(html).toContain("height:75%;background-color:#18181b");
    expect(html).toContain("height:2.5%;background-color:#dc2626");
    // An empty day draws no bar segments.
    const emptyDay = html.slice(html.indexOf('data-day="2026-11-30"'));
    expect(emptyDay.slice(0, emptyDay.indexOf("</div>"))).not.toContain("height:");
  });
});
