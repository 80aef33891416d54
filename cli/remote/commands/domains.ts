import type { Command } from "commander";
import { minute, resolveApp, withApi } from "@/cli/remote/context";
import { examples } from "@/cli/remote/help";
import type { Column } from "@/cli/remote/output";
import { enc } from "@/cli/remote/commands/customers";
import type { ApiClient } from "@/cli/remote/api-client";
import type { DomainDto } from "@/lib/domains/domain-dto";

const columns: Column<DomainDto>[] = [
  ["ID", (d) => d.id],
  ["HOSTNAME", (d) => d.hostname],
  ["STATUS", (d) => d.status],
  ["DEFAULT", (d) => (d.isDefault ? "yes" : "")],
  ["CHECKED", (d) => minute(d.lastCheckedAt)],
  ["PROBLEM", (d) => d.failureReason ?? d.cnameWarning],
];

const detailColumns: Column<DomainDto>[] = [
  ["ID", (d) => d.id],
  ["Hostname", (d) => d.hostname],
  ["Status", (d) => d.status],
  ["TXT record", (d) => `${d.verification.name} TXT "${d.verification.value}"`],
  ["CNAME target", (d) => d.cnameTarget],
  ["Problem", (d) => d.failureReason ?? d.cnameWarning],
  ["Verified", (d) => d.verifiedAt],
  ["Default", (d) => d.isDefault],
];

/** A domain by ID or hostname. */
async function domainId(api: ApiClient, idOrHost: string): Promise<string> {
  if (!idOrHost.includes(".")) return idOrHost;
  const { domains } = await api.get<{ domains: DomainDto[] }>("/api/v1/domains");
  const found = domains.find((d) => d.hostname === idOrHost.toLowerCase().replace(/\.$/, ""));
  if (!found) throw new Error(`No custom domain ${idOrHost} in this team: add it with pullgate domains add ${idOrHost}.`);
  return found.id;
}

export function registerDomains(program: Command): void {
  const domains = examples(program.command("domains").description("Custom proxy domains"), "pullgate domains add registry.acme.com");

  examples(domains.command("ls").alias("list").description("List custom domains"), "pullgate domains ls").action((_opts, cmd: Command) =>
    withApi(cmd, async ({ api, print }) => print.list((await api.get<{ domains: DomainDto[] }>("/api/v1/domains")).domains, columns)),
  );

  examples(
    domains
      .command("add")
      .description("Add a custom domain; prints the TXT record that proves it is yours")
      .argument("<hostname>", "e.g. registry.acme.com")
      .option("--app <slug>", "serve only this app on it"),
    "pullgate domains add registry.acme.com --app acme",
  ).action((hostname: string, opts: { app?: string }, cmd: Command) =>
    withApi(cmd, async ({ api, print }) => {
      const appId = opts.app ? (await resolveApp(api, opts.app)).id : undefined;
      print.one((await api.request<{ domain: DomainDto }>("POST", "/api/v1/domains", { body: { hostname, appId } })).domain, detailColumns);
    }),
  );

  examples(
    domains.command("verify").description("Check the domain's DNS records now (exit 1 unless verified)").argument("<domain>", "domain ID or hostname"),
    "pullgate domains verify registry.acme.com",
  ).action((domain: string, _opts, cmd: Command) =>
    withApi(cmd, async ({ api, print }) => {
      const id = await domainId(api, domain);
      const checked = (await api.request<{ domain: DomainDto }>("POST", `/api/v1/domains/${enc(id)}/verify`)).domain;
      print.one(checked, detailColumns);
      return checked.status === "verified" ? 0 : 1;
    }),
  );
}
