import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { NGINX_BINARY, nginxPreamble } from "./nginx";
import { stopChild } from "./stop-child";

/**
 * Debian's nginx as a round-robin load balancer on `port` in front of several
 * replicas (proxies or portals, `127.0.0.1:<port>` each), passing the client's
 * Host through, streaming responses (no buffering), the way a deployment's LB
 * would. Its access log records which backend answered each request.
 */
export type RoundRobinNginx = {
  url: string;
  host: string;
  child: ChildProcess;
  /** The backend (`127.0.0.1:<port>`) that answered each request so far, in order. */
  backendsUsed: () => string[];
  stop: () => Promise<void>;
};

export async function startRoundRobinNginx(port: number, backends: string[]): Promise<RoundRobinNginx> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pullgate-lb-"));
  const conf = [
    ...(await nginxPreamble(dir)),
    "  log_format backend '$upstream_addr';",
    `  access_log ${path.join(dir, "access.log")} backend;`,
    `  upstream proxies { ${backends.map((b) => `server ${b} max_fails=0;`).join(" ")} }`,
    "  server {",
    `    listen 127.0.0.1:${port};`,
    "    location / {",
    "      proxy_pass http://proxies;",
    "      proxy_http_version 1.1;",
    '      proxy_set_header Connection "";',
    "      proxy_set_header Host $http_host;",
    "      proxy_buffering off;",
    "      proxy_next_upstream off;",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");
  const confFile = path.join(dir, "nginx.conf");
  await fs.promises.writeFile(confFile, conf);
  let output = "";
  const child = spawn(NGINX_BINARY, ["-p", dir, "-c", confFile, "-e", path.join(dir, "error.log")], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited during start-up: ${output}`);
    try {
      await fetch(`${url}/healthz`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`nginx did not start listening: ${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    host: `127.0.0.1:${port}`,
    child,
    // nginx writes each line when the request ends, unbuffered (no `buffer=`).
    backendsUsed: () =>
      fs
        .readFileSync(path.join(dir, "access.log"), "utf8")
        .split("\n")
        .filter((line) => line && line !== "-"),
    stop: async () => {
      await stopChild(child, "SIGTERM");
      await fs.promises.rm(dir, { recursive: true, force: true });
    },
  };
}
