"use client";

const relative = new Intl.RelativeTimeFormat("en-US", { numeric: "auto" });
const exact = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", hourCycle: "h23", timeZone: "UTC" });

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

/** "3 days ago", "Never" (relative to `now`, when the list was loaded); the exact UTC time in the title. */
export function LastPull({ value, now }: { value: string | null; now: number }) {
  if (!value) return <span className="text-zinc-400">Never</span>;
  const ms = new Date(value).getTime() - now;
  const [unit, size] = UNITS.find(([, size]) => Math.abs(ms) >= size) ?? ["minute", 60_000];
  const text = Math.abs(ms) < 60_000 ? "just now" : relative.format(Math.round(ms / size), unit);
  return (
    <time dateTime={value} title={`${exact.format(new Date(value))} UTC`} className={ms < -30 * 86_400_000 ? "text-amber-700" : "text-zinc-700"}>
      {text}
    </time>
  );
}
