import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { freePort } from "./registry";

/**
 * Starts the proxy the way `pullgate start` does (`node --import tsx
 * proxy/main.ts`) on a free port, against the test database. Captures its
 * log lines so tests can scan them for secrets.
 */
export type ProxyProcess = {
  port: number;
  host: string;
  url: string;
  logs: () => string;
  stop: () => Promise<void>;
  child: ChildProcess;
};

export async function startProxyProcess(env: Record<string, string>): Promise<ProxyProcess> {
  const port = await freePort();
  const root = path.resolve(import.meta.dirname, "../..");
  let output = "";
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "proxy/main.ts")], {
    cwd: root,
    env: { ...process.env, PROXY_PORT: String(port), PROXY_PUBLIC_HOST: `127.0.0.1:${port}`, LOG_LEVEL: "info", ...env },
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
    logs: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}
