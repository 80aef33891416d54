import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "./registry";

/**
 * A PostgreSQL cluster owned by one test: initdb into a temporary directory,
 * its own loopback port, trust auth, started and stopped with pg_ctl. Outage
 * tests stop and start this one, never the machine's shared server.
 *
 *   const pg = await startPostgresCluster();
 *   pg.url                    // postgresql://postgres@127.0.0.1:<port>/postgres
 *   await pg.stop();          // the server is down (fast shutdown), data kept
 *   await pg.start();         // back on the same port
 *   await pg.destroy();       // stopped and removed
 *
 * As root the binaries run as the `postgres` user (initdb refuses root).
 */
export type PostgresCluster = {
  port: number;
  url: string;
  dir: string;
  start(): Promise<void>;
  stop(mode?: "fast" | "immediate"): Promise<void>;
  /** Starts it unless it is running (for a test's finally, so one failure does not cascade). */
  ensureRunning(): Promise<void>;
  destroy(): Promise<void>;
};

const run = promisify(execFile);

function binDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, "bin", "pg_ctl"))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`No PostgreSQL server binaries under ${root} (Debian: apt-get install -y postgresql).`);
  return path.join(root, newest, "bin");
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-pg-"));
  const dataDir = path.join(dir, "data");
  const logFile = path.join(dir, "server.log");
  if (asRoot) await run("chown", ["postgres:postgres", dir]);
  const pgRun = (tool: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", path.join(bin, tool), ...args], { cwd: dir }) : run(path.join(bin, tool), args, { cwd: dir });

  await pgRun("initdb", ["-D", dataDir, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const start = async () => {
    await pgRun("pg_ctl", ["-D", dataDir, "-l", logFile, "-o", options, "-w", "-t", "60", "start"]);
  };
  const stop = async (mode: "fast" | "immediate" = "fast") => {
    await pgRun("pg_ctl", ["-D", dataDir, "-m", mode, "-w", "-t", "60", "stop"]);
  };
  await start();
  return {
    port,
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    dir,
    start,
    stop,
    async ensureRunning() {
      const running = await pgRun("pg_ctl", ["-D", dataDir, "status"]).then(
        () => true,
        () => false,
      );
      if (!running) await start();
    },
    async destroy() {
      await stop("immediate").catch(() => {});
      await fs.promises.rm(dir, { recursive: true, force: true });
    },
  };
}
