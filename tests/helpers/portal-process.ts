import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { freePort } from "./registry";
import { stopChild } from "./stop-child";
import { bundleProxy, PORTAL_SERVER_BUNDLE, PORTAL_SERVER_SOURCE, proxyBundleState } from "../../cli/proxy-bundle";

/**
 * Starts the real portal the way `pullgate start` does (Next.js production
 * build behind portal-server/main.ts, from its bundle) on a free port against
 * the test database, so attacker tests hit real sockets.
 *
 * It needs `npm run build`: when .next is missing or older than a source of
 * the portal, the build runs first (minutes), so a test never runs against
 * stale pages.
 */
export type PortalProcess = {
  url: string;
  port: number;
  child: ChildProcess;
  logs: () => string;
  /** Resident memory of the portal process, bytes, from /proc/<pid>/status. */
  rssBytes: () => number;
  stop: () => Promise<void>;
};

const root = path.resolve(import.meta.dirname, "../..");
/** Long enough for a production build on a loaded 2-core machine. */
export const PORTAL_BUILD_TIMEOUT_MS = 15 * 60_000;

export async function startPortalProcess(env: Record<string, string> = {}): Promise<PortalProcess> {
  ensurePortalBuild();
  if (!proxyBundleState(PORTAL_SERVER_BUNDLE).fresh) await bundleProxy(PORTAL_SERVER_BUNDLE, PORTAL_SERVER_SOURCE);
  const port = await freePort();
  let output = "";
  const child = spawn(process.execPath, ["--enable-source-maps", PORTAL_SERVER_BUNDLE], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      AUTH_TRUST_HOST: "true",
      PULLGATE_SECRET_KEY: randomBytes(32).toString("base64"),
      PULLGATE_TRUST_PROXY: "",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`portal exited during start-up: ${output}`);
    try {
      const res = await fetch(`${url}/signin`, { signal: AbortSignal.timeout(10_000) });
      await res.body?.cancel();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`portal did not answer: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    port,
    child,
    logs: () => output,
    rssBytes: () => {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
      const kib = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
      if (!kib) throw new Error(`no VmRSS in /proc/${child.pid}/status`);
      return Number(kib) * 1024;
    },
    stop: () => stopChild(child, "SIGTERM", 15_000),
  };
}

const SOURCES = ["app", "components", "lib", "next.config.js", "postcss.config.mjs", "package.json", "tsconfig.json"];
const IGNORED = new Set(["generated", "node_modules"]);

function ensurePortalBuild(): void {
  let builtAt = 0;
  try {
    builtAt = fs.statSync(path.join(root, ".next", "BUILD_ID")).mtimeMs;
  } catch {
    // no build yet
  }
  if (builtAt > 0 && SOURCES.every((entry) => newestMtime(path.join(root, entry)) <= builtAt)) return;
  const result = spawnSync(process.execPath, [path.join(root, "scripts/build.mjs")], { cwd: root, stdio: "inherit", timeout: PORTAL_BUILD_TIMEOUT_MS });
  if (result.status !== 0) throw new Error(`npm run build failed (${result.signal ?? `exit ${result.status}`})`);
}

function newestMtime(file: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(file)) {
    if (IGNORED.has(entry)) continue;
    newest = Math.max(newest, newestMtime(path.join(file, entry)));
  }
  return newest;
}
