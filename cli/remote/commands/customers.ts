import { Option, type Command } from "commander";
import { parseExpires, parseLimit, resolveApp, withApi, ymd } from "@/cli/remote/context";
import { examples } from "@/cli/remote/help";
import type { Column } from "@/cli/remote/output";
import type { CustomerDto } from "@/lib/customers/customer-dto";

// Mirrors lib/customers/schemas.ts (the API validates; these only make --help and typos clearer).
const CUSTOMER_TYPES = ["dev", "trial", "paid", "community", "test"];
const STATUSES = ["active", "expiring", "expired", "disabled", "archived"];

const listColumns: Column<CustomerDto>[] = [
  ["ID", (c) => c.id],
  ["NAME", (c) => c.name],
  ["EMAIL", (c) => c.email],
  ["TYPE", (c) => c.type],
  ["STATUS", (c) => c.license.status],
  ["EXPIRES", (c) => ymd(c.license.expiresAt) ?? "never"],
  ["LAST PULL", (c) => ymd(c.lastPullAt)],
];

const detailColumns: Column<CustomerDto>[] = [
  ["ID", (c) => c.id],
  ["App ID", (c) => c.appId],
  ["Name", (c) => c.name],
  ["Email", (c) => c.email],
  ["Type", (c) => c.type],
  ["Custom ID", (c) => c.customId],
  ["Channel", (c) => c.channel],
  ["Status", (c) => c.license.status],
  ["Expires", (c) => c.license.expiresAt ?? "never"],
  ["Registry access", (c) => (c.license.registryAccess ? "on" : "off")],
  ["Image patterns", (c) => (c.license.imagePatterns.length ? c.license.imagePatterns : "all images")],
  ["License ID", (c) => c.license.licenseId],
  ["Archived", (c) => c.archivedAt],
  ["Created", (c) => c.createdAt],
  ["Last pull", (c) => c.lastPullAt],
];

const typeOption = () => new Option("--type <type>", "license type").choices(CUSTOMER_TYPES);
const expiresOption = () => new Option("--expires <date>", "expiry: 2026-12-31, an ISO date-time, or never");

export function registerCustomers(program: Command): void {
  const customers = examples(
    program.command("customers").description("Manage customers and their licenses"),
    "pullgate customers ls --app acme",
    "pullgate customers create --app acme --name 'Globex' --type trial --expires 2026-12-31",
  );

  examples(
    customers
      .command("ls")
      .alias("list")
      .description("List customers, following pages up to --limit")
      .option("--app <slug>", "only this app's customers")
      .addOption(new Option("--status <status>", "only customers in this state").choices(STATUSES))
      .option("--search <text>", "name, email or custom ID contains")
      .option("--limit <n>", "at most n customers (default: all)", parseLimit),
    "pullgate customers ls --app acme --status expiring --output json",
  ).action((opts: { app?: string; status?: string; search?: string; limit?: number }, cmd: Command) =>
    withApi(cmd, async ({ api, print }) => {
      const appId = opts.app ? (await resolveApp(api, opts.app)).id : undefined;
      const items = await api.list<CustomerDto>("/api/v1/customers", "customers", { appId, status: opts.status, q: opts.search }, opts.limit);
      print.list(items, listColumns);
    }),
  );

  examples(customers.command("get").description("Show a customer and its license").argument("<id>", "customer ID"), "pullgate customers get cm1abc --output yaml").action(
    (id: string, _opts, cmd: Command) =>
      withApi(cmd, async ({ api, print }) => print.one((await api.get<{ customer: CustomerDto }>(`/api/v1/customers/${enc(id)}`)).customer, detailColumns)),
  );

  examples(
    customers
      .command("create")
      .description("Create a customer and its license; prints the customer (with its license ID)")
      .requiredOption("--app <slug>", "the app (slug or ID)")
      .requiredOption("--name <name>", "customer name")
      .option("--email <email>", "contact email (also the pull secret's username)")
      .addOption(typeOption())
      .addOption(expiresOption()),
    "pullgate customers create --app acme --name 'Globex' --email ops@globex.example --type trial --expires 2026-12-31",
    "ID=$(pullgate customers create --app acme --name Globex --output json | jq -r .id)",
  ).action((opts: { app: string; name: string; email?: string; type?: string; expires?: string }, cmd: Command) =>
    withApi(cmd, async ({ api, print }) => {
      const app = await resolveApp(api, opts.app);
      const body = {
        appId: app.id,
        name: opts.name,
        email: opts.email,
        type: opts.type,
        ...(opts.expires !== undefined ? { expiresAt: parseExpires(opts.expires) } : {}),
      };
      print.one((await api.request<{ customer: CustomerDto }>("POST", "/api/v1/customers", { body })).customer, detailColumns);
    }),
  );

  examples(
    customers
      .command("update")
      .description("Change a customer's license (and details)")
      .argument("<id>", "customer ID")
      .addOption(expiresOption())
      .addOption(new Option("--registry-access <on|off>", "allow or cut pulls").choices(["on", "off"]))
      .option("--name <name>", "new name")
      .option("--email <email>", "new contact email")
      .addOption(typeOption()),
    "pullgate customers update cm1abc --expires 2027-06-30",
    "pullgate customers update cm1abc --registry-access off",
  ).action((id: string, opts: { expires?: string; registryAccess?: "on" | "off"; name?: string; email?: string; type?: string }, cmd: Command) =>
    withApi(cmd, async ({ api, print }) => {
      const body: Record<string, unknown> = {};
      if (opts.expires !== undefined) body.expiresAt = parseExpires(opts.expires);
      if (opts.registryAccess) body.registryAccess = opts.registryAccess === "on";
      if (opts.name !== undefined) body.name = opts.name;
      if (opts.email !== undefined) body.email = opts.email;
      if (opts.type !== undefined) body.type = opts.type;
      if (Object.keys(body).length === 0) cmd.error("Nothing to change: give --expires, --registry-access, --name, --email or --type.", { exitCode: 2, code: "pullgate.usage" });
      print.one((await api.request<{ customer: CustomerDto }>("PATCH", `/api/v1/customers/${enc(id)}`, { body })).customer, detailColumns);
    }),
  );

  for (const [verb, text] of [
    ["archive", "Archive a customer (cuts registry access)"],
    ["unarchive", "Unarchive a customer (restores registry access)"],
  ] as const) {
    examples(customers.command(verb).description(text).argument("<id>", "customer ID"), `pullgate customers ${verb} cm1abc`).action((id: string, _opts, cmd: Command) =>
      withApi(cmd, async ({ api, print }) =>
        print.one((await api.request<{ customer: CustomerDto }>("POST", `/api/v1/customers/${enc(id)}/${verb}`)).customer, detailColumns),
      ),
    );
  }
}

export const enc = encodeURIComponent;
