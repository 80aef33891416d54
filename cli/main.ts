import { USAGE, UsageError } from "@/cli/usage";

type Command = (args: string[]) => Promise<number>;

// Each command lives in its own module, loaded only when used (the portal's
// and PGlite's dependencies are heavy).
const commands: Record<string, () => Promise<Command>> = {
  start: async () => (await import("@/cli/start")).start,
  migrate: async () => (await import("@/cli/migrate")).migrateCommand,
  "vendor create": async () => (await import("@/cli/vendor-create")).vendorCreate,
  "token create": async () => (await import("@/cli/token-create")).tokenCreate,
  "keys rotate": async () => (await import("@/cli/keys-rotate")).keysRotate,
  "db-server": async () => (await import("@/cli/db-server")).dbServer,
  cache: async () => (await import("@/cli/cache")).cacheCommand,
  "nginx-config": async () => (await import("@/cli/nginx-config")).nginxConfigCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [first, second] = argv;
  if (!first || first === "help" || first === "--help" || first === "-h") {
    console.log(USAGE);
    return first ? 0 : 2;
  }
  const twoWord = second ? `${first} ${second}` : "";
  const key = twoWord && commands[twoWord] ? twoWord : first;
  const load = commands[key];
  if (!load) {
    console.error(`Unknown command: ${argv.slice(0, 2).join(" ")}\n\n${USAGE}`);
    return 2;
  }
  const args = argv.slice(key.split(" ").length);
  try {
    return await (await load())(args);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${USAGE}`);
      return 2;
    }
    console.error(`Error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
