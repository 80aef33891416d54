import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { config } from "@/lib/config";
import { openEmbedded, pgDataDir } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrate";
import { outboundPolicy } from "@/lib/outbound/outbound-policy";
import { deriveKey, ensureDevMasterKey, parseMasterKey, SECRET_KEY_FILE } from "@/lib/secrets/master-key";
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

const ROOT = path.resolve(import.meta.dirname, "..");
const STOP_GRACE_MS = 15_000;

type Managed = { name: string; child: ChildProcess; exited: Promise<number | null> };

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

  // 1. The database.
  let databaseUrl = process.env.DATABASE_URL || "";
  let databaseLabel: string;
  let embedded: Awaited<ReturnType<typeof openEmbedded>> | undefined;
  if (databaseUrl) {
    databaseLabel = `PostgreSQL ${describePostgres(databaseUrl)}`;
  } else {
    embedded = await openEmbedded(dataDir);
    databaseUrl = embedded.info.url;
    databaseLabel = `embedded PGlite at ${pgDataDir(dataDir)}${embedded.child ? "" : ` (already served by process ${embedded.info.pid})`}`;
  }

  try {
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
      AUTH_SECRET: authSecret,
      AUTH_TRUST_HOST: process.env.AUTH_TRUST_HOST ?? "true",
      NEXT_TELEMETRY_DISABLED: "1",
    };

    const firstRun = await hasNoUsers(databaseUrl);

    // 3. The portal and the proxy.
    const children: Managed[] = [];
    if (runPortal) {
      // Next.js behind the portal's request gate (portal-server/main.ts), not `next start`: see that file for why.
      const portalArgs = !portalEntry
        ? ["--import", "tsx", "portal-server/main.ts", "--dev"]
        : portalEntry.endsWith(".ts")
          ? ["--import", "tsx", portalEntry]
          : ["--enable-source-maps", portalEntry];
      children.push(manage("portal", spawn(process.execPath, portalArgs, { cwd: ROOT, env: childEnv, stdio: "inherit" })));
    }
    if (runProxy) {
      const proxyArgs = proxyEntry ? proxyNodeArgs(proxyEntry) : ["--import", "tsx", "--watch", "proxy/main.ts"];
      children.push(manage("proxy", spawn(process.execPath, proxyArgs, { cwd: ROOT, env: { ...proxyProcessEnv(), ...childEnv }, stdio: "inherit" })));
    }

    let stopping: string | null = null;
    const stopSignal = new Promise<string>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        stopping ??= signal;
        resolve(signal);
      };
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
    });
    const childDied = Promise.race(
      [...children, ...(embedded?.child ? [manage("database", embedded.child)] : [])].map((m) =>
        m.exited.then((code) => `${m.name} exited (${code ?? "signal"})`),
      ),
    );

    const ready = Promise.all([
      runPortal ? waitForHttp(`http://127.0.0.1:${config.portalPort}/`, "portal") : null,
      runProxy ? waitForHttp(`http://127.0.0.1:${config.proxyPort}/healthz`, "proxy") : null,
    ]);
    // A portal or proxy that never answers is a reason to stop like any other: the children are stopped below.
    const first = await Promise.race([ready.then(() => "ready" as const, (err: Error) => err.message.replace(/\.$/, "")), childDied, stopSignal]);
    if (first === "ready") {
      printSummary({ runPortal, runProxy, databaseLabel, firstRun });
    }
    const reason = first === "ready" ? await Promise.race([childDied, stopSignal]) : first;
    const failed = !stopping;
    if (failed) console.error(`Stopping: ${reason}.`);
    else console.log("Stopping…");
    await Promise.all(children.map(stopChild));
    return failed ? 1 : 0;
  } finally {
    await embedded?.stop?.();
  }
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

function manage(name: string, child: ChildProcess): Managed {
  return { name, child, exited: waitExit(child) };
}

function waitExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}

async function stopChild(m: Managed): Promise<void> {
  if (m.child.exitCode !== null || m.child.signalCode !== null) return;
  m.child.kill("SIGTERM");
  const timer = setTimeout(() => m.child.kill("SIGKILL"), STOP_GRACE_MS);
  await m.exited;
  clearTimeout(timer);
}

async function waitForHttp(url: string, name: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
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
