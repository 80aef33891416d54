import { Option, type Command } from "commander";
import { parseLimit, parseSince, resolveApp, withApi } from "@/cli/remote/context";
import { examples } from "@/cli/remote/help";
import type { Column } from "@/cli/remote/output";
import type { PullEventDto } from "@/lib/pulls/pull-event-dto";

const DEFAULT_LIMIT = 100;

const columns: Column<PullEventDto>[] = [
  ["TIME", (p) => p.time.slice(0, 19).replace("T", " ")],
  ["CUSTOMER", (p) => p.customerName ?? p.customerId],
  ["IMAGE", (p) => p.repository],
  ["TAG", (p) => p.tag ?? p.reference],
  ["OUTCOME", (p) => (p.reason ? `${p.outcome} (${p.reason})` : p.outcome)],
  ["STATUS", (p) => p.status],
  ["CLIENT", (p) => p.clientIp],
];

export function registerPulls(program: Command): void {
  const pulls = examples(program.command("pulls").description("Who pulled what"), "pullgate pulls ls --customer cm1abc --since 7d");

  examples(
    pulls
      .command("ls")
      .alias("list")
      .description("List pulls, newest first, following pages up to --limit")
      .option("--customer <id>", "only this customer's pulls")
      .option("--app <slug>", "only this app's pulls")
      .option("--since <time>", "from this time: ISO date-time, date, or 30m / 24h / 7d back", (v) => parseSince(v))
      .addOption(new Option("--outcome <outcome>", "only these").choices(["success", "denied", "not_found", "upstream_error", "error"]))
      .option("--requests", "every request (manifests, blobs, tokens) instead of counted pulls")
      .option("--limit <n>", `at most n events (default ${DEFAULT_LIMIT})`, parseLimit, DEFAULT_LIMIT),
    "pullgate pulls ls --customer cm1abc --since 2026-11-01",
    "pullgate pulls ls --since 24h --outcome denied --output json",
  ).action((opts: { customer?: string; app?: string; since?: string; outcome?: string; requests?: boolean; limit: number }, cmd: Command) =>
    withApi(cmd, async ({ api, print }) => {
      const appId = opts.app ? (await resolveApp(api, opts.app)).id : undefined;
      const query = { customerId: opts.customer, appId, since: opts.since, outcome: opts.outcome, kind: opts.requests ? "requests" : undefined };
      print.list(await api.list<PullEventDto>("/api/v1/pulls", "pulls", query, opts.limit), columns);
    }),
  );
}
