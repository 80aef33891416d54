import { parseArgs, type ParseArgsConfig } from "node:util";

export const USAGE = `Usage: pullgate <command> [options]

Commands:
  start [--portal-only | --proxy-only] [--dev]
                                          Build if needed, migrate, and run the portal and the proxy
                                          (--dev: next dev with hot reload instead of the production build)
  migrate                                 Apply pending database migrations
  vendor create --email E --password P --team T [--name N]
                                          Create a vendor account (user + team, as owner)
  token create --email E --name N [--team T]
                                          Create an API token for the user's team; prints it once
  keys rotate                             Re-encrypt stored registry secrets with PULLGATE_SECRET_KEY
                                          (old keys in PULLGATE_SECRET_KEY_PREVIOUS, comma-separated)
  cache [--prune] [--max-bytes SIZE]      Show the proxy cache's size and entries; prune it (LRU) to SIZE
  nginx-config [--listen L] [--server-name H] [--proxy HOST:PORT] [--tls-cert F --tls-key F]
                                          Print the nginx config for the recommended deployment: nginx in
                                          front, cached blobs sent by nginx (PULLGATE_OFFLOAD=nginx)

Database: DATABASE_URL when set, else the embedded database in PULLGATE_DATA_DIR (default ./.pullgate).`;

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {}

export function parseOptions<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== "string" || !value.trim()) throw new UsageError(`Missing --${name}.`);
  return value;
}
