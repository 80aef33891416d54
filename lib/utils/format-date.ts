// Dates in the portal are shown in UTC, so the server render, the browser and
// the audit log agree (and a license "expires 2026-12-01 00:00 UTC" is exact).

const dateFormat = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
const dateTimeFormat = new Intl.DateTimeFormat("en-US", {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: "UTC",
});

export function formatDate(value: Date | string | null | undefined, fallback = "—"): string {
  if (!value) return fallback;
  return dateFormat.format(new Date(value));
}

export function formatDateTime(value: Date | string | null | undefined, fallback = "—"): string {
  if (!value) return fallback;
  return `${dateTimeFormat.format(new Date(value))} UTC`;
}
