import { config } from "@/lib/config";
import { redactedUrl, startEmbeddedServer } from "@/lib/db/embedded";
import { parseOptions } from "@/cli/usage";

/**
 * Internal: serves the embedded database until SIGTERM (or, with
 * --parent-pipe, until the parent's end of stdin closes, i.e. the parent died).
 * SIGINT is ignored under a parent, which stops this server last, after the
 * processes that use it.
 */
export async function dbServer(args: string[]): Promise<number> {
  const values = parseOptions(args, {
    "data-dir": { type: "string" },
    port: { type: "string" },
    "parent-pipe": { type: "boolean" },
  });
  const dataDir = values["data-dir"] ?? config.dataDir;
  // This process writes only the database's files: none of them for anyone else.
  process.umask(0o077);
  const server = await startEmbeddedServer({ dataDir, port: values.port ? Number(values.port) : 0 });
  console.log(`Embedded database ready at ${redactedUrl(server.url)} (data in ${dataDir}; password in its db-password file)`);

  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    if (values["parent-pipe"]) {
      process.on("SIGINT", () => {});
      process.stdin.on("close", resolve).on("end", resolve).resume();
    } else {
      process.once("SIGINT", resolve);
    }
  });
  await server.stop();
  return 0;
}
