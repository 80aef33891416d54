import type { Command } from "commander";
import { minute, withApi } from "@/cli/remote/context";
import { examples } from "@/cli/remote/help";
import type { Column } from "@/cli/remote/output";
import { enc } from "@/cli/remote/commands/customers";
import type { RegistryDto } from "@/lib/registries/registry-dto";

type TestResult = { ok: boolean; status: string; message: string };

const columns: Column<RegistryDto>[] = [
  ["ID", (r) => r.id],
  ["PROVIDER", (r) => r.provider],
  ["ENDPOINT", (r) => r.endpoint],
  ["ALIAS", (r) => r.name],
  ["USERNAME", (r) => r.username],
  ["LAST TEST", (r) => (r.lastTestStatus ? `${r.lastTestStatus} ${minute(r.lastTestedAt)}` : null)],
];

export function registerRegistries(program: Command): void {
  const registries = examples(program.command("registries").description("Linked upstream registries"), "pullgate registries ls");

  examples(registries.command("ls").alias("list").description("List linked registries (secrets are never shown)"), "pullgate registries ls --output yaml").action(
    (_opts, cmd: Command) => withApi(cmd, async ({ api, print }) => print.list((await api.get<{ registries: RegistryDto[] }>("/api/v1/registries")).registries, columns)),
  );

  examples(
    registries
      .command("test")
      .description("Test a registry's connection with its stored credentials (exit 1 when it fails)")
      .argument("<id>", "registry ID")
      .option("--image <repository[:tag]>", "also check this image can be read"),
    "pullgate registries test cm1reg --image acme/api:1.0",
  ).action((id: string, opts: { image?: string }, cmd: Command) =>
    withApi(cmd, async ({ api, print }) => {
      const result = await api.request<TestResult>("POST", `/api/v1/registries/${enc(id)}/test`, { body: opts.image ? { image: opts.image } : {} });
      print.one(result, [
        ["OK", (r) => r.ok],
        ["Status", (r) => r.status],
        ["Message", (r) => r.message],
      ]);
      return result.ok ? 0 : 1;
    }),
  );
}
