import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./registry";
import { stopChild } from "./stop-child";
import { proxyProcessEnv } from "../../proxy/process-env";
import { proxyNodeArgs } from "../../cli/proxy-bundle";

/**
 * Starts the proxy the way `pullgate start` does on a free port, against the
 * test database. Captures its log lines so tests can scan them for secrets.
 *
 * The entry is the TypeScript source through tsx (`node --import tsx
 * proxy/main.ts`, no build needed) unless options.entry or
 * PULLGATE_PROXY_ENTRY names a bundle, e.g. `PULLGATE_PROXY_ENTRY=dist/proxy/main.mjs`
 * after `npm run build` runs a suite against what production runs.
 *
 * Loopback upstreams are allowed (PULLGATE_UPSTREAM_ALLOW_CIDRS=127.0.0.0/8)
 * and pending custom domains are never re-checked (PULLGATE_DOMAIN_CHECK_INTERVAL=0,
 * so nothing asks a resolver beyond loopback) unless env says otherwise.
 *
 * The cache lives in a fresh temporary directory removed by stop(), unless
 * the caller passes PULLGATE_CACHE_DIR (then the directory is theirs, e.g. to
 * restart a proxy on the same cache).
 */
export type ProxyProcess = {
  port: number;
  host: string;
  url: string;
  logs: () => string;
  stop: () => Promise<void>;
  child: ChildProcess;
  cacheDir: string;
  /** The proxy's /metrics text. */
  metrics: () => Promise<string>;
};

export async function startProxyProcess(env: Record<string, string>, options: { entry?: string; port?: number } = {}): Promise<ProxyProcess> {
  const port = options.port ?? (await freePort());
  const root = path.resolve(import.meta.dirname, "../..");
  const entry = path.resolve(root, options.entry || process.env.PULLGATE_PROXY_ENTRY || "proxy/main.ts");
  let output = "";
  const ownCacheDir = env.PULLGATE_CACHE_DIR ? null : await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-cache-"));
  const cacheDir = env.PULLGATE_CACHE_DIR ?? ownCacheDir!;
  const child = spawn(process.execPath, proxyNodeArgs(entry), {
    cwd: root,
    env: {
      ...process.env,
      ...proxyProcessEnv(),
      PROXY_PORT: String(port),
      PROXY_PUBLIC_HOST: `127.0.0.1:${port}`,
      LOG_LEVEL: "info",
      PULLGATE_CACHE_DIR: cacheDir,
      // Test upstreams run on loopback: allowed explicitly (the default refuses them). Pass "" to refuse.
      PULLGATE_UPSTREAM_ALLOW_CIDRS: "127.0.0.0/8",
      // No background re-checks of pending domains through the machine's resolver; a test of them sets both.
      PULLGATE_DOMAIN_CHECK_INTERVAL: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`proxy exited during start-up: ${output}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`proxy did not become ready: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    host: `127.0.0.1:${port}`,
    url,
    child,
    cacheDir,
    logs: () => output,
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
    stop: async () => {
      await stopChild(child, "SIGTERM");
      if (ownCacheDir) await fs.promises.rm(ownCacheDir, { recursive: true, force: true });
    },
  };
}
