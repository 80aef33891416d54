import { InvalidArgumentError, type Command } from "commander";
import { ApiClient } from "@/cli/remote/api-client";
import { resolveRemoteConfig } from "@/cli/remote/config";
import { Printer, type OutputFormat } from "@/cli/remote/output";
import type { AppDto } from "@/lib/apps/app-dto";

export type RemoteContext = {
  api: ApiClient;
  print: Printer;
  /** Notes for people, on stderr so stdout stays the result. */
  note: (text: string) => void;
};

/** The output format chosen with the global --output (before or after the subcommand). */
export function outputFormat(cmd: Command): OutputFormat {
  return (cmd.optsWithGlobals() as { output?: OutputFormat }).output ?? "table";
}

/** Runs a command body with an API client from PULLGATE_API_URL/PULLGATE_API_TOKEN or the login file. */
export async function withApi(cmd: Command, body: (ctx: RemoteContext) => Promise<number | void>): Promise<void> {
  const api = new ApiClient(resolveRemoteConfig(), `pullgate-cli/${rootOf(cmd).version() ?? ""}`);
  const code = await body({ api, print: new Printer(outputFormat(cmd)), note: (t) => process.stderr.write(t.endsWith("\n") ? t : t + "\n") });
  if (typeof code === "number" && code !== 0) process.exitCode = code;
}

function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

/** --limit: a positive whole number. */
export function parseLimit(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError("Must be a whole number of at least 1.");
  return Number(value);
}

/**
 * --since: an ISO date-time, a date (midnight UTC), or a span back from now
 * (30m, 24h, 7d).
 */
export function parseSince(value: string, now = Date.now()): string {
  const span = /^(\d{1,6})([mhd])$/.exec(value.trim());
  if (span) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[span[2] as "m" | "h" | "d"];
    return new Date(now - Number(span[1]) * unit).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return `${value}T00:00:00Z`;
  if (/^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value))) return value;
  throw new InvalidArgumentError("Must be an ISO 8601 date-time, a date (2026-11-01) or a span such as 30m, 24h or 7d.");
}

/** --expires: a date or date-time for the API, or "never" (null). */
export function parseExpires(value: string): string | null {
  return value.trim().toLowerCase() === "never" ? null : value.trim();
}

/** An app named by slug (or id), as the API lists them. */
export async function resolveApp(api: ApiClient, slugOrId: string): Promise<AppDto> {
  const { apps } = await api.get<{ apps: AppDto[] }>("/api/v1/apps");
  const app = apps.find((a) => a.slug === slugOrId) ?? apps.find((a) => a.id === slugOrId);
  if (!app) {
    const known = apps.map((a) => a.slug).join(", ");
    throw new Error(`No app "${slugOrId}" in this team${known ? ` (apps: ${known})` : " (it has no apps yet: pullgate apps create --name <name>)"}.`);
  }
  return app;
}

export const ymd = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : null);
export const minute = (iso: string | null | undefined) => (iso ? iso.slice(0, 16).replace("T", " ") : null);
