"use client";

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { PullActivityDay } from "@/lib/pulls/pull-activity";

/** Images pulled and requests denied per day. */
export function PullActivityChart({ data }: { data: PullActivityDay[] }) {
  return (
    <div className="h-48 w-full" role="img" aria-label={`Pulls per day over the last ${data.length} days`}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid vertical={false} stroke="#e4e4e7" />
          <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} tick={{ fontSize: 11, fill: "#71717a" }} tickLine={false} axisLine={false} />
          <YAxis allowDecimals={false} tick={{ fontSize: 11, fill: "#71717a" }} tickLine={false} axisLine={false} />
          <Tooltip cursor={{ fill: "#f4f4f5" }} contentStyle={{ fontSize: 12, borderRadius: 6, borderColor: "#e4e4e7" }} />
          <Bar dataKey="pulls" name="Images pulled" stackId="a" fill="#18181b" radius={[0, 0, 0, 0]} />
          <Bar dataKey="denied" name="Denied" stackId="a" fill="#f59e0b" radius={[3, 3, 0, 0]} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
