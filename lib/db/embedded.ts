import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { serveEmbedded } from "@/lib/db/embedded-server";
import { ensureDbPassword, prepareDataDir, tightenDataDir } from "@/lib/db/embedded-data-dir";
import { EMBEDDED_INFO_FILE, embeddedUrl, readEmbeddedInfo as readInfo, type EmbeddedInfo, type EmbeddedInfoFile } from "@/lib/db/embedded-info";
import { readLockNote, tryLockFile } from "@/lib/utils/file-lock";
import { isProcessAlive } from "@/lib/utils/process-alive";

// Embedded mode: one PGlite database under <dataDir>/pgdata, opened by exactly
// one process (`pullgate db-server`) and served on a loopback port. Portal,
// proxy and CLI connect to it like any Postgres. Keeping the database in its
// own process means a crash of the portal or proxy never touches the data
// directory. <dataDir>/embedded.json says where a running server listens;
// clients log in with the password in <dataDir>/db-password. Both files, like
// the whole data directory, are readable by this user only.

const LOCK_FILE = "embedded.lock";
const ROOT = path.resolve(import.meta.dirname, "../..");

export type { EmbeddedInfo };
export { embeddedUrl, redactedUrl } from "@/lib/db/embedded-info";
export type ResolvedDatabase = { url: string; kind: "postgres" | "embedded"; stop?: () => Promise<void> };

export function pgDataDir(dataDir: string): string {
  return path.join(dataDir, "pgdata");
}

/**
 * Takes the data directory's database lock: a lock the OS releases when the
 * holder dies (lib/utils/file-lock.ts), so a killed server never leaves a
 * stale lock and a recycled pid is never mistaken for it. A live holder makes
 * this throw.
 */
function acquireDataDirLock(dataDir: string): () => void {
  prepareDataDir(dataDir);
  const lock = tryLockFile(path.join(dataDir, LOCK_FILE));
  if (!lock) {
    const holder = readLockNote(path.join(dataDir, LOCK_FILE))?.pid;
    throw new Error(`The embedded database in ${dataDir} is already open by process ${typeof holder === "number" ? holder : "(unknown)"}.`);
  }
  return () => lock.release();
}

/**
 * Opens the data directory and serves it. Used by `pullgate db-server`; the
 * caller owns the returned stop(), which closes PGlite cleanly (checkpoint),
 * removes embedded.json and releases the lock.
 */
export async function startEmbeddedServer(options: { dataDir: string; port?: number }): Promise<EmbeddedInfo & { stop(): Promise<void> }> {
  const dataDir = path.resolve(options.dataDir);
  const releaseLock = acquireDataDirLock(dataDir);
  try {
    const password = ensureDbPassword(dataDir);
    // Existing data directories (from before it was tightened) too.
    tightenDataDir(dataDir, pgDataDir(dataDir));
    const { PGlite } = await import("@electric-sql/pglite");
    // pg_trgm backs the customer search indexes (the migration builds them when it can).
    const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
    fs.mkdirSync(pgDataDir(dataDir), { recursive: true, mode: 0o700 });
    const db = await PGlite.create(pgDataDir(dataDir), { extensions: { pg_trgm } });
    // A new database's initial files are written world-readable.
    tightenDataDir(dataDir, pgDataDir(dataDir));
    const server = await serveEmbedded(db, { password, port: options.port ?? 0 });
    const file: EmbeddedInfoFile = { pid: process.pid, port: server.port, startedAt: new Date().toISOString() };
    const info: EmbeddedInfo = { ...file, url: embeddedUrl(server.port, password) };
    const infoFile = path.join(dataDir, EMBEDDED_INFO_FILE);
    fs.rmSync(`${infoFile}.tmp`, { force: true });
    fs.writeFileSync(`${infoFile}.tmp`, JSON.stringify(file, null, 2) + "\n", { mode: 0o600 });
    fs.renameSync(`${infoFile}.tmp`, infoFile);
    let stopped: Promise<void> | null = null;
    return {
      ...info,
      stop() {
        stopped ??= (async () => {
          if (readInfo(dataDir)?.pid === process.pid) fs.rmSync(infoFile, { force: true });
          await server.close();
          await db.close();
          tightenDataDir(dataDir, pgDataDir(dataDir));
          releaseLock();
        })();
        return stopped;
      },
    };
  } catch (err) {
    releaseLock();
    throw err;
  }
}

function canConnect(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** The running embedded server of this data directory, or null (a stale embedded.json counts as none). */
export async function findRunningEmbedded(dataDir: string): Promise<EmbeddedInfo | null> {
  const info = readInfo(path.resolve(dataDir));
  if (!info || !isProcessAlive(info.pid)) return null;
  return (await canConnect(info.port)) ? info : null;
}

/**
 * Starts `pullgate db-server` as a child process and waits until it serves.
 * The child exits on its own when this process dies (it watches its stdin).
 */
export async function spawnEmbeddedServer(dataDir: string, options: { timeoutMs?: number; port?: number } = {}): Promise<{
  info: EmbeddedInfo;
  child: ChildProcess;
  stop(): Promise<void>;
}> {
  const resolvedDir = path.resolve(dataDir);
  const portArgs = options.port ? ["--port", String(options.port)] : [];
  const child = spawn(process.execPath, [path.join(ROOT, "bin/pullgate.mjs"), "db-server", "--data-dir", resolvedDir, "--parent-pipe", ...portArgs], {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, DATABASE_URL: "" },
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let info: EmbeddedInfo | null = null;
  while (!info) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`The embedded database server exited during start-up: ${stderr.trim() || `code ${child.exitCode}`}`);
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`The embedded database server did not start within ${options.timeoutMs ?? 60_000} ms. ${stderr.trim()}`);
    }
    const found = readInfo(resolvedDir);
    if (found && found.pid === child.pid && (await canConnect(found.port))) info = found;
    else await new Promise((r) => setTimeout(r, 100));
  }
  return {
    info,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

/**
 * The embedded server of this data directory: the one already running, else
 * one started here (then child and stop are set, and the caller must call
 * stop() when done).
 */
export async function openEmbedded(dataDir: string): Promise<{ info: EmbeddedInfo; child?: ChildProcess; stop?: () => Promise<void> }> {
  const running = await findRunningEmbedded(dataDir);
  if (running) return { info: running };
  try {
    return await spawnEmbeddedServer(dataDir);
  } catch (err) {
    // Another process may have opened it at the same moment: use that one.
    const raced = await findRunningEmbedded(dataDir);
    if (raced) return { info: raced };
    throw err;
  }
}

/**
 * Where to find the database: DATABASE_URL when set; else the embedded server
 * already running for this data directory; else a new one started here (the
 * caller must call stop() when done).
 */
export async function resolveDatabase(options: { dataDir: string }): Promise<ResolvedDatabase> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, kind: "postgres" };
  const { info, stop } = await openEmbedded(options.dataDir);
  return { url: info.url, kind: "embedded", stop };
}
