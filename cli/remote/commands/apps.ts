import type { Command } from "commander";
import { minute, withApi } from "@/cli/remote/context";
import { examples } from "@/cli/remote/help";
import type { Column } from "@/cli/remote/output";
import type { AppDto } from "@/lib/apps/app-dto";

const columns: Column<AppDto>[] = [
  ["ID", (a) => a.id],
  ["SLUG", (a) => a.slug],
  ["NAME", (a) => a.name],
  ["CREATED", (a) => minute(a.createdAt)],
];

export function registerApps(program: Command): void {
  const apps = examples(program.command("apps").description("List and create apps"), "pullgate apps ls");

  examples(apps.command("ls").alias("list").description("List the team's apps"), "pullgate apps ls --output json").action((_opts, cmd: Command) =>
    withApi(cmd, async ({ api, print }) => print.list((await api.get<{ apps: AppDto[] }>("/api/v1/apps")).apps, columns)),
  );

  examples(
    apps
      .command("create")
      .description("Create an app (its slug is the image path segment: <proxy>/proxy/<slug>/...)")
      .requiredOption("--name <name>", "display name")
      .option("--slug <slug>", "2-40 lower-case letters, digits and hyphens (default: from the name)"),
    "pullgate apps create --name 'Acme API' --slug acme",
  ).action((opts: { name: string; slug?: string }, cmd: Command) =>
    withApi(cmd, async ({ api, print }) => {
      const { app } = await api.request<{ app: AppDto }>("POST", "/api/v1/apps", { body: { name: opts.name, slug: opts.slug } });
      print.one(app, columns);
    }),
  );
}
