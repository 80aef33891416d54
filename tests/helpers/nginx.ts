import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { nginxConfig } from "../../proxy/cache/nginx-config";
import { freePort } from "./registry";
import { stopChild } from "./stop-child";

/**
 * Debian's nginx in front of a proxy process, configured with exactly the
 * server block `pullgate nginx-config` prints, plus the process-level settings
 * an unprivileged, throw-away nginx needs (temp paths, pid, logs in a temp dir).
 */
export type TestNginx = {
  port: number;
  host: string;
  url: string;
  /** nginx's access log lines so far ("<status> <bytes sent> <request>"). */
  accessLog: () => string[];
  /** The master process (its workers are its children). */
  child: ChildProcess;
  stop: () => Promise<void>;
};

export const NGINX_BINARY = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => fs.existsSync(p)) ?? "nginx";

/**
 * The top of a test nginx.conf up to inside `http {`: foreground, its own pid,
 * error log and temp directories under `dir` (created here).
 */
export async function nginxPreamble(dir: string): Promise<string[]> {
  const temp = (name: string) => path.join(dir, "tmp", name);
  for (const name of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) await fs.promises.mkdir(temp(name), { recursive: true });
  return [
    // As root, workers would otherwise run as nobody and could not read the test's private temp dirs.
    ...(process.getuid?.() === 0 ? ["user root;"] : []),
    "worker_processes 1;",
    "daemon off;",
    `pid ${path.join(dir, "nginx.pid")};`,
    `error_log ${path.join(dir, "error.log")} warn;`,
    "events { worker_connections 1024; }",
    "http {",
    `  client_body_temp_path ${temp("body")};`,
    `  proxy_temp_path ${temp("proxy")};`,
    `  fastcgi_temp_path ${temp("fastcgi")};`,
    `  uwsgi_temp_path ${temp("uwsgi")};`,
    `  scgi_temp_path ${temp("scgi")};`,
  ];
}

export async function startNginx(options: { proxyAddress: string; cacheDir: string; prefix: string; offloadKey: string }): Promise<TestNginx> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-nginx-"));
  const port = await freePort();
  const server = nginxConfig({ listen: `127.0.0.1:${port}`, serverName: "_", proxyAddress: options.proxyAddress, cacheDir: options.cacheDir, prefix: options.prefix, offloadKey: options.offloadKey });
  const conf = [
    ...(await nginxPreamble(dir)),
    "  log_format pullgate_test '$status $body_bytes_sent \"$request\"';",
    `  access_log ${path.join(dir, "access.log")} pullgate_test;`,
    server,
    "}",
    "",
  ].join("\n");
  const confFile = path.join(dir, "nginx.conf");
  await fs.promises.writeFile(confFile, conf);

  let output = "";
  const child: ChildProcess = spawn(NGINX_BINARY, ["-p", dir, "-c", confFile, "-e", path.join(dir, "error.log")], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      const log = await fs.promises.readFile(path.join(dir, "error.log"), "utf8").catch(() => "");
      throw new Error(`nginx exited during start-up: ${output}${log}`);
    }
    try {
      await fetch(`${url}/healthz`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`nginx did not start listening: ${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    host: `127.0.0.1:${port}`,
    url,
    child,
    accessLog: () => {
      try {
        return fs.readFileSync(path.join(dir, "access.log"), "utf8").split("\n").filter(Boolean);
      } catch {
        return [];
      }
    },
    stop: async () => {
      await stopChild(child, "SIGQUIT");
      await fs.promises.rm(dir, { recursive: true, force: true });
    },
  };
}
