import type { Command } from "commander";
import { minute, withApi } from "@/cli/remote/context";
import { examples } from "@/cli/remote/help";
import type { Column } from "@/cli/remote/output";
import { enc } from "@/cli/remote/commands/customers";
import type { ApiTokenDto } from "@/lib/api-tokens/api-token-dto";

const columns: Column<ApiTokenDto>[] = [
  ["ID", (t) => t.id],
  ["NAME", (t) => t.name],
  ["PREFIX", (t) => t.prefix],
  ["CREATED", (t) => minute(t.createdAt)],
  ["LAST USED", (t) => minute(t.lastUsedAt)],
  ["REVOKED", (t) => minute(t.revokedAt)],
];

export function registerTokens(program: Command): void {
  const tokens = examples(program.command("tokens").description("The team's API tokens"), "pullgate tokens ls");

  examples(tokens.command("ls").alias("list").description("List API tokens (never the tokens themselves)"), "pullgate tokens ls").action((_opts, cmd: Command) =>
    withApi(cmd, async ({ api, print }) => print.list((await api.get<{ tokens: ApiTokenDto[] }>("/api/v1/tokens")).tokens, columns)),
  );

  examples(
    tokens
      .command("create")
      .description("Create an API token acting with your role; the token is printed once (alone on stdout in table form)")
      .requiredOption("--name <name>", "what it is for"),
    "TOKEN=$(pullgate tokens create --name 'release pipeline')",
  ).action((opts: { name: string }, cmd: Command) =>
    withApi(cmd, async ({ api, print, note }) => {
      const created = await api.request<{ token: string; apiToken: ApiTokenDto }>("POST", "/api/v1/tokens", { body: { name: opts.name } });
      if (print.format === "table") {
        note(`Created API token "${created.apiToken.name}" (${created.apiToken.id}). It is shown only once:`);
        process.stdout.write(created.token + "\n");
      } else {
        print.one(created, []);
      }
    }),
  );

  examples(tokens.command("revoke").description("Revoke an API token").argument("<id>", "token ID"), "pullgate tokens revoke cm1tok").action(
    (id: string, _opts, cmd: Command) =>
      withApi(cmd, async ({ api, print }) => print.one((await api.request<{ apiToken: ApiTokenDto }>("DELETE", `/api/v1/tokens/${enc(id)}`)).apiToken, columns)),
  );
}
