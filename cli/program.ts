import fs from "node:fs";
import path from "node:path";
import { Command, Option } from "commander";
import { OUTPUT_FORMATS } from "@/cli/remote/output";
import { registerApps } from "@/cli/remote/commands/apps";
import { registerCustomers } from "@/cli/remote/commands/customers";
import { registerLicenses } from "@/cli/remote/commands/licenses";
import { registerPullSecret } from "@/cli/remote/commands/pull-secret";
import { registerRegistries } from "@/cli/remote/commands/registries";
import { registerDomains } from "@/cli/remote/commands/domains";
import { registerPulls } from "@/cli/remote/commands/pulls";
import { registerTokens } from "@/cli/remote/commands/tokens";
import { registerLogin } from "@/cli/remote/commands/login";
import { examples } from "@/cli/remote/help";
import { UsageError } from "@/cli/usage";

type LocalCommand = (args: string[]) => Promise<number>;

const root = path.resolve(import.meta.dirname, "..");
const version = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version;

/**
 * The commands that run on the Pullgate machine itself and use the database
 * directly. Each keeps its own option parsing (node:util parseArgs) and is
 * loaded only when used (the portal's and PGlite's dependencies are heavy).
 */
const LOCAL: { name: string[]; usage: string; description: string; example: string; load: () => Promise<LocalCommand> }[] = [
  {
    name: ["start"],
    usage: "[--portal-only | --proxy-only] [--dev]",
    description: "Build if needed, migrate, and run the portal and the proxy (--dev: next dev with hot reload)",
    example: "pullgate start --proxy-only",
    load: async () => (await import("@/cli/start")).start,
  },
  { name: ["migrate"], usage: "", description: "Apply pending database migrations", example: "pullgate migrate", load: async () => (await import("@/cli/migrate")).migrateCommand },
  {
    name: ["vendor", "create"],
    usage: "--email E --password P --team T [--name N]",
    description: "Create a vendor account (user + team, as owner)",
    example: "pullgate vendor create --email me@acme.example --password 'long passphrase' --team Acme",
    load: async () => (await import("@/cli/vendor-create")).vendorCreate,
  },
  {
    name: ["token", "create"],
    usage: "--email E --name N [--team T]",
    description: "Create an API token for the user's team from the database; prints it once",
    example: "export PULLGATE_API_TOKEN=$(pullgate token create --email me@acme.example --name ci)",
    load: async () => (await import("@/cli/token-create")).tokenCreate,
  },
  {
    name: ["keys", "rotate"],
    usage: "",
    description: "Re-encrypt stored registry secrets with PULLGATE_SECRET_KEY (old keys in PULLGATE_SECRET_KEY_PREVIOUS, comma-separated)",
    example: "PULLGATE_SECRET_KEY_PREVIOUS=$OLD pullgate keys rotate",
    load: async () => (await import("@/cli/keys-rotate")).keysRotate,
  },
  {
    name: ["db-server"],
    usage: "",
    description: "Serve the embedded database (started by pullgate start)",
    example: "pullgate db-server",
    load: async () => (await import("@/cli/db-server")).dbServer,
  },
  {
    name: ["cache"],
    usage: "[--prune] [--max-bytes SIZE]",
    description: "Show the proxy cache's size and entries; prune it (LRU) to SIZE",
    example: "pullgate cache --prune --max-bytes 20GiB",
    load: async () => (await import("@/cli/cache")).cacheCommand,
  },
  {
    name: ["nginx-config"],
    usage: "[--listen L] [--server-name H] [--proxy HOST:PORT] [--tls-cert F --tls-key F]",
    description: "Print the nginx config for the recommended deployment: nginx in front, cached blobs sent by nginx",
    example: "pullgate nginx-config --server-name registry.acme.com > /etc/nginx/conf.d/pullgate.conf",
    load: async () => (await import("@/cli/nginx-config")).nginxConfigCommand,
  },
];

const GROUP_TEXT: Record<string, string> = {
  vendor: "vendor create: a vendor account",
  token: "token create: an API token from the database (remote: pullgate tokens create)",
  keys: "keys rotate: re-encrypt registry secrets",
};

/** Set by a local command's action: its exit code. */
export type RunState = { code: number };

export function buildProgram(state: RunState): Command {
  const program = new Command("pullgate")
    .version(version, "-V, --version", "print the version")
    .description("Pullgate: license-gated registry proxy and vendor portal.\nRemote commands use the REST API with PULLGATE_API_URL + PULLGATE_API_TOKEN (or pullgate login).")
    .addOption(new Option("-o, --output <format>", "output format of remote commands").choices(OUTPUT_FORMATS).default("table"))
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .showHelpAfterError("(add --help for usage)")
    .exitOverride();
  examples(program, "pullgate customers ls --app acme", "pullgate --output json customers get cm1abc");

  registerLogin(program);
  registerApps(program);
  registerCustomers(program);
  registerLicenses(program);
  registerPullSecret(program);
  registerRegistries(program);
  registerDomains(program);
  registerPulls(program);
  registerTokens(program);

  const groups = new Map<string, Command>();
  for (const local of LOCAL) {
    let parent = program;
    if (local.name.length === 2) {
      const group = local.name[0]!;
      if (!groups.has(group)) groups.set(group, examples(program.command(group).description(`${GROUP_TEXT[group] ?? group} [local: uses the database]`), local.example));
      parent = groups.get(group)!;
    }
    const cmd = parent
      .command(local.name.at(-1)!)
      .usage(local.usage || " ")
      .description(`${local.description} [local: uses the database]`)
      .allowUnknownOption()
      .allowExcessArguments()
      .helpOption("-h, --help", "show this help");
    examples(cmd, local.example);
    cmd.action(async (_opts, c: Command) => {
      try {
        state.code = await (await local.load())(c.args);
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        process.stderr.write(`${err.message}\n\n${c.helpInformation()}`);
        state.code = 2;
      }
    });
  }
  return program;
}
