import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { config } from "@/lib/config";
import { findRunningEmbedded, pgDataDir, spawnEmbeddedServer } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrate";
import { outboundPolicy } from "@/lib/outbound/outbound-policy";
import { deriveKey, ensureDevMasterKey, parseMasterKey, SECRET_KEY_FILE } from "@/lib/secrets/master-key";
import { lockMechanism } from "@/lib/utils/file-lock";
import { parseOptions, UsageError } from "@/cli/usage";
import { proxyProcessEnv } from "@/proxy/process-env";
import {
  bundleProxy,
  PORTAL_SERVER_BUNDLE,
  PORTAL_SERVER_SOURCE,
  PROXY_BUNDLE,
  PROXY_SOURCE,
  proxyBundleState,
  proxyNodeArgs,
} from "@/cli/proxy-bundle";
import { acquireInstanceLock } from "@/cli/instance-lock";
import { Supervisor } from "@/cli/supervisor";

const ROOT = path.resolve(import.meta.dirname, "..");
// Preloaded into portal and proxy: they stop themselves when this process dies (cli/parent-watch.mjs).
const PARENT_WATCH = pathToFileURL(path.join(ROOT, "cli/parent-watch.mjs")).href;
const PARENT_PIPE_FD = 3;
// After the children's own grace period, before SIGKILL.
const STOP_MARGIN_MS = 10_000;
// A `pullgate` command may hold the embedded database for a moment: wait this long for it.
const FOREIGN_DATABASE_WAIT_MS = 30_000;

export async function start(args: string[]): Promise<number> {
  const values = parseOptions(args, { "portal-only": { type: "boolean" }, "proxy-only": { type: "boolean" }, dev: { type: "boolean" } });
  // --dev: `next dev` with hot reload and a proxy restarted on change (npm run dev).
  const dev = Boolean(values.dev);
  if (values["portal-only"] && values["proxy-only"]) throw new UsageError("Use either --portal-only or --proxy-only, not both.");
  const runPortal = !values["proxy-only"];
  const runProxy = !values["portal-only"];
  const dataDir = config.dataDir;
  // Both processes connect to vendors' registries: a typo in the allow list stops the start
  // ("Error: PULLGATE_UPSTREAM_ALLOW_CIDRS: …", exit 1), not the first connection test.
  outboundPolicy();
  // Same for the proxy's pull-event retention: refused here rather than by a proxy restarted in a loop.
  void config.pullEventRetentionDays;
  const graceMs = config.shutdownGraceSeconds * 1000;

  // 0. One instance per data directory, refused before anything else happens.
  const lock = acquireInstanceLock(dataDir, {
    portalPort: runPortal ? config.portalPort : undefined,
    proxyPort: runProxy ? config.proxyPort : undefined,
  });
  const mechanism = lockMechanism();
  if (!mechanism.osReleased) console.warn(`pullgate: the data directory lock is a ${mechanism.detail}.`);
  try {
    return await run({ dev, runPortal, runProxy, dataDir, graceMs, lock });
  } finally {
    lock.release();
  }
}

async function run(o: {
  dev: boolean;
  runPortal: boolean;
  runProxy: boolean;
  dataDir: string;
  graceMs: number;
  lock: ReturnType<typeof acquireInstanceLock>;
}): Promise<number> {
  const { dev, runPortal, runProxy, dataDir, graceMs, lock } = o;
  if (runPortal && !dev && !fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    console.log("No production build found: building the portal first (a few minutes, only once)…");
    const code = await waitExit(spawn(process.execPath, [path.join(ROOT, "scripts/build.mjs")], { cwd: ROOT, stdio: "inherit" }));
    if (code !== 0) {
      console.error("Build failed; not starting.");
      return 1;
    }
  }

  // The proxy and the portal's server run from their bundles (refreshed here if needed); --dev runs them through tsx.
  const proxyEntry = runProxy && !dev ? await productionEntry("proxy", PROXY_BUNDLE, PROXY_SOURCE) : null;
  const portalEntry = runPortal && !dev ? await productionEntry("portal server", PORTAL_SERVER_BUNDLE, PORTAL_SERVER_SOURCE) : null;

  const supervisor = new Supervisor({
    log: (message) => console.log(`pullgate: ${message}`),
    onChange: () => lock.update({ children: { portal: supervisor.pid("portal"), proxy: supervisor.pid("proxy"), database: supervisor.pid("database") }, restarts: supervisor.restarts() }),
  });
  let stopSignals = 0;
  let firstSignalAt = 0;
  let onSignal: (signal: NodeJS.Signals) => void = () => {};
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (signal) => {
      // The same stop often arrives twice at once (a shell or a process manager signalling
      // the whole group as well as us): only a second one a moment later means "now".
      if (stopSignals > 0 && Date.now() - firstSignalAt < 1_000) return;
      firstSignalAt ||= Date.now();
      stopSignals++;
      // A second Ctrl+C: stop now, without waiting for requests in progress.
      if (stopSignals === 2) {
        console.log("pullgate: stopping immediately.");
        supervisor.kill(["portal", "proxy"]);
      }
      resolve(signal);
    };
  });
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  try {
    // 1. The database: DATABASE_URL, or the embedded server, owned and supervised here.
    let databaseUrl = process.env.DATABASE_URL || "";
    let databaseLabel: string;
    const embedded = !databaseUrl;
    if (databaseUrl) {
      databaseLabel = `PostgreSQL ${describePostgres(databaseUrl)}`;
    } else {
      await waitForForeignEmbedded(dataDir);
      let port: number | undefined;
      let url = "";
      await supervisor.add({
        name: "database",
        stopGraceMs: 30_000,
        start: async (track) => {
          // Back on the same port if it is free, so clients reconnect to what they know; else anywhere (they follow embedded.json).
          const server = await spawnEmbeddedServer(dataDir, { port }).catch((err: Error) => (port ? spawnEmbeddedServer(dataDir) : Promise.reject(err)));
          track(server.child);
          port = server.info.port;
          url ||= server.info.url;
          lock.update({ databasePort: port });
          return server.child;
        },
      });
      // Children keep this URL; after a restart on another port they follow embedded.json (lib/db/connection.ts).
      databaseUrl = url;
      databaseLabel = `embedded PGlite at ${pgDataDir(dataDir)}`;
    }

    await migrate({ databaseUrl, log: (m) => console.log(m) });

    // 2. Keys: the master key, and the Auth.js secret derived from it.
    let secretKey = process.env.PULLGATE_SECRET_KEY;
    if (secretKey) {
      parseMasterKey(secretKey); // fail now, with a clear message, not in a child
    } else {
      secretKey = ensureDevMasterKey(dataDir);
      if (process.env.DATABASE_URL) {
        console.warn(
          `PULLGATE_SECRET_KEY is not set: using the development key in ${path.join(dataDir, SECRET_KEY_FILE)}. ` +
            "Set PULLGATE_SECRET_KEY (openssl rand -base64 32) in production.",
        );
      }
    }
    const authSecret = process.env.AUTH_SECRET || deriveKey("auth-secret", parseMasterKey(secretKey)).toString("base64url");
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PULLGATE_DATA_DIR: dataDir,
      PULLGATE_SECRET_KEY: secretKey,
      PULLGATE_EMBEDDED_DATABASE: embedded ? "1" : "",
      AUTH_SECRET: authSecret,
      AUTH_TRUST_HOST: process.env.AUTH_TRUST_HOST ?? "true",
      NEXT_TELEMETRY_DISABLED: "1",
    };

    const firstRun = await hasNoUsers(databaseUrl);

    // 3. The portal and the proxy, started together; either failing to come up stops everything.
    const services: Array<Promise<void>> = [];
    if (runPortal) {
      // Next.js behind the portal's request gate (portal-server/main.ts), not `next start`: see that file for why.
      const portalArgs = !portalEntry
        ? ["--import", "tsx", "portal-server/main.ts", "--dev"]
        : portalEntry.endsWith(".ts")
          ? [...watchParent(), "--import", "tsx", portalEntry]
          : [...watchParent(), "--enable-source-maps", portalEntry];
      services.push(
        supervisor.add({
          name: "portal",
          stopGraceMs: graceMs + STOP_MARGIN_MS,
          start: (track) => startHttpChild("portal", portalArgs, childEnv, `http://127.0.0.1:${config.portalPort}/`, track, !dev),
        }),
      );
    }
    if (runProxy) {
      const proxyArgs = proxyEntry ? [...watchParent(), ...proxyNodeArgs(proxyEntry)] : ["--import", "tsx", "--watch", "proxy/main.ts"];
      services.push(
        supervisor.add({
          name: "proxy",
          stopGraceMs: graceMs + STOP_MARGIN_MS,
          start: (track) => startHttpChild("proxy", proxyArgs, { ...proxyProcessEnv(), ...childEnv }, `http://127.0.0.1:${config.proxyPort}/healthz`, track, !!proxyEntry),
        }),
      );
    }
    const first = await Promise.race([Promise.all(services).then(() => "ready" as const, (err: Error) => err.message.replace(/\.$/, "")), stopSignal]);
    if (first !== "ready") {
      const failed = !stopSignals;
      if (failed) console.error(`Stopping: ${first}.`);
      else console.log("Stopping…");
      // Stopping reaches children still starting too; their start then fails and settles.
      await supervisor.stop([["portal", "proxy"], ["database"]]);
      await Promise.allSettled(services);
      return failed ? 1 : 0;
    }
    printSummary({ runPortal, runProxy, databaseLabel, firstRun });

    // 4. Until SIGINT/SIGTERM: the supervisor restarts whatever crashes meanwhile.
    await stopSignal;
    console.log(`pullgate: stopping: the portal and the proxy finish requests in progress (up to ${graceMs / 1000} s; Ctrl+C again to stop now)…`);
    await supervisor.stop([["portal", "proxy"], ["database"]], { immediate: stopSignals > 1 });
    console.log("pullgate: stopped.");
    return 0;
  } catch (err) {
    await supervisor.stop([["portal", "proxy"], ["database"]]);
    throw err;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** Node arguments that preload the parent watch (the child gets the pipe as PARENT_PIPE_FD). */
function watchParent(): string[] {
  return ["--import", PARENT_WATCH];
}

/**
 * Spawns a portal or proxy process and resolves once it answers HTTP on
 * `url`; rejects if it exits first or never answers.
 */
async function startHttpChild(
  name: string,
  nodeArgs: string[],
  env: NodeJS.ProcessEnv,
  url: string,
  track: (child: ChildProcess) => void,
  parentPipe: boolean,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, nodeArgs, {
    cwd: ROOT,
    env: parentPipe ? { ...env, PULLGATE_PARENT_PIPE_FD: String(PARENT_PIPE_FD) } : env,
    stdio: parentPipe ? ["inherit", "inherit", "inherit", "pipe"] : "inherit",
  });
  track(child);
  const exited = waitExit(child).then((code) => {
    throw new Error(`The ${name} exited during start-up (${code === null ? `signal ${child.signalCode}` : `exit code ${code}`})`);
  });
  // Only the race below cares; a later exit is the supervisor's business.
  exited.catch(() => {});
  await Promise.race([waitForHttp(url, name, () => child.exitCode !== null || child.signalCode !== null), exited]);
  return child;
}

/**
 * A `pullgate` command (vendor create, migrate…) may have opened the embedded
 * database for a moment: `start` must own it, so wait for that to close.
 */
async function waitForForeignEmbedded(dataDir: string): Promise<void> {
  let running = await findRunningEmbedded(dataDir);
  if (!running) return;
  console.log(`The embedded database is open by process ${running.pid} (a pullgate command): waiting for it to close…`);
  const deadline = Date.now() + FOREIGN_DATABASE_WAIT_MS;
  while (running && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    running = await findRunningEmbedded(dataDir);
  }
  if (running) throw new Error(`The embedded database in ${dataDir} is still open by process ${running.pid}; stop it first.`);
}

/**
 * A production entry (the proxy, the portal's server): the bundle from `npm run
 * build`, rebuilt first (under a second) when a source changed since, so a
 * start never runs stale code. If bundling fails, the sources run through tsx
 * instead, with a warning.
 */
async function productionEntry(name: string, bundle: string, source: string): Promise<string> {
  const state = proxyBundleState(bundle);
  if (state.fresh) return bundle;
  console.log(`Bundling the ${name} (${state.reason})…`);
  try {
    await bundleProxy(bundle, source);
    return bundle;
  } catch (err) {
    console.warn(
      `Could not bundle the ${name}: ${err instanceof Error ? err.message : String(err)}\n` +
        "Running it from source through tsx instead (slower start-up, ~30 MiB more memory).",
    );
    return path.relative(ROOT, source);
  }
}

function waitExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}

async function waitForHttp(url: string, name: string, gaveUp: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gaveUp()) {
    try {
      const res = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5_000) });
      await res.body?.cancel();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`The ${name} did not answer on ${url} within ${timeoutMs / 1000} s.`);
}

async function hasNoUsers(databaseUrl: string): Promise<boolean> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "User"`);
    return rows[0]?.n === 0;
  } finally {
    await client.end();
  }
}

/** host:port/database, never the user or password. */
function describePostgres(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
  } catch {
    return "(DATABASE_URL)";
  }
}

function printSummary(o: { runPortal: boolean; runProxy: boolean; databaseLabel: string; firstRun: boolean }): void {
  const lines = ["", "Pullgate is running."];
  if (o.runPortal) lines.push(`  Portal:   ${config.portalUrl}`);
  if (o.runProxy) lines.push(`  Proxy:    ${config.proxyPublicHost} (listening on port ${config.proxyPort})`);
  lines.push(`  Database: ${o.databaseLabel}`);
  if (o.firstRun && o.runPortal) {
    lines.push(
      "",
      `First run: open ${config.portalUrl}/signup to create your vendor account`,
      "  (or from a shell: npx pullgate vendor create --email you@example.com --password '…' --team 'Your company').",
    );
  }
  lines.push("", "Press Ctrl+C to stop.", "");
  console.log(lines.join("\n"));
}
