"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { PullActivityDay } from "@/lib/pulls/pull-activity";

// Stacked per day, one colour per outcome, in the order the legend reads.
const SERIES = [
  { key: "pulls", name: "Pulled", color: "#18181b" },
  { key: "denied", name: "Denied", color: "#f59e0b" },
  { key: "notFound", name: "Not found", color: "#a1a1aa" },
  { key: "upstreamErrors", name: "Upstream errors", color: "#dc2626" },
] as const;

/** Pulls per day by outcome (the pull counting rule: proxy/pull-counting.ts). */
export function PullActivityChart({ data }: { data: PullActivityDay[] }) {
  return (
    <div className="h-56 w-full" role="img" aria-label={`Pulls per day by outcome over the last ${data.length} days`}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid vertical={false} stroke="#e4e4e7" />
          <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} tick={{ fontSize: 11, fill: "#71717a" }} tickLine={false} axisLine={false} minTickGap={8} />
          <YAxis allowDecimals={false} tick={{ fontSize: 11, fill: "#71717a" }} tickLine={false} axisLine={false} />
          <Tooltip cursor={{ fill: "#f4f4f5" }} contentStyle={{ fontSize: 12, borderRadius: 6, borderColor: "#e4e4e7" }} />
          <Legend
            verticalAlign="bottom"
            iconType="square"
            iconSize={10}
            wrapperStyle={{ fontSize: 12, paddingTop: 8 }}
            itemSorter={(item) => SERIES.findIndex((s) => s.key === item.dataKey)}
          />
          {SERIES.map((s, i) => (
            <Bar key={s.key} dataKey={s.key} name={s.name} stackId="outcome" fill={s.color} isAnimationActive={false} radius={i === SERIES.length - 1 ? [3, 3, 0, 0] : [0, 0, 0, 0]} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
