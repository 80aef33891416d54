import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { stopChild } from "./stop-child";

/**
 * Container daemons for the client-matrix tests, each private to one test:
 * its root, state, socket and configuration under a temporary directory, no
 * system-wide configuration read, nothing started that would touch the
 * machine's network set-up. They only ever pull (never run a container).
 *
 *   const containerd = await startContainerd(dir);   // containerd.address: the socket for `ctr --address`
 *   const docker = await startDockerd(dir, { insecureRegistries: ["127.0.0.1:5050"] });
 *   docker.env                                        // DOCKER_HOST + DOCKER_CONFIG for the docker CLI
 *   await docker.stop();
 */

const run = promisify(execFile);

export type Daemon = {
  child: ChildProcess;
  /** The daemon's log so far (stdout and stderr). */
  logs(): string;
  stop(): Promise<void>;
};

export type ContainerdDaemon = Daemon & { address: string };
export type DockerDaemon = Daemon & {
  socket: string;
  /** The docker CLI of the same package as dockerd (Debian's docker.io), not whichever comes first on PATH. */
  cli: string;
  env: Record<string, string>;
};

export class DaemonStartError extends Error {}

function spawnLogged(command: string, args: string[], logFile: string) {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const onData = (d: Buffer) => {
    output = (output + d.toString()).slice(-64_000);
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  child.once("exit", () => void fs.promises.writeFile(logFile, output).catch(() => {}));
  return { child, logs: () => output };
}

/** Waits until `check` succeeds, the child exits, or the deadline passes. */
async function waitUntilReady(child: ChildProcess, logs: () => string, what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new DaemonStartError(`${what} exited during start-up (${child.exitCode ?? child.signalCode}):\n${logs().slice(-4000)}`);
    }
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new DaemonStartError(`${what} did not become ready in ${timeoutMs / 1000} s:\n${logs().slice(-4000)}`);
}

function socketAnswers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const conn = net.connect(socket, () => {
      conn.destroy();
      resolve(true);
    });
    conn.on("error", () => resolve(false));
  });
}

/** containerd with its own root, state and socket; CRI and snapshotters that need special file systems are off. */
export async function startContainerd(dir: string): Promise<ContainerdDaemon> {
  await fs.promises.mkdir(dir, { recursive: true });
  const address = path.join(dir, "containerd.sock");
  const config = [
    "version = 2",
    `root = "${path.join(dir, "root")}"`,
    `state = "${path.join(dir, "state")}"`,
    'disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]',
    "[grpc]",
    `  address = "${address}"`,
    "[ttrpc]",
    `  address = "${address}.ttrpc"`,
    "[debug]",
    '  address = ""',
    "[metrics]",
    '  address = ""',
    "[plugins]",
    '  [plugins."io.containerd.internal.v1.opt"]',
    `    path = "${path.join(dir, "opt")}"`,
  ].join("\n");
  const configFile = path.join(dir, "config.toml");
  await fs.promises.writeFile(configFile, config + "\n");
  const { child, logs } = spawnLogged("containerd", ["--config", configFile, "--log-level", "warn"], path.join(dir, "containerd.log"));
  const stop = () => stopChild(child, "SIGTERM", 10_000);
  try {
    await waitUntilReady(child, logs, "containerd", async () => {
      if (!(await socketAnswers(address))) return false;
      await run("ctr", ["--address", address, "version"], { timeout: 10_000 });
      return true;
    }, 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { child, logs, stop, address };
}

/**
 * dockerd from Debian's docker.io, as unintrusive as it can be: vfs storage,
 * no iptables, no bridge, no IP forwarding or masquerading, cgroupfs driver,
 * data root, exec root, pidfile, socket and an empty daemon.json in `dir`
 * (it starts its own containerd below the exec root).
 */
export async function startDockerd(dir: string, options: { insecureRegistries?: string[] } = {}): Promise<DockerDaemon> {
  await fs.promises.mkdir(path.join(dir, "cli"), { recursive: true });
  const socket = path.join(dir, "docker.sock");
  const daemonJson = path.join(dir, "daemon.json");
  await fs.promises.writeFile(daemonJson, "{}\n");
  const args = [
    "--config-file", daemonJson,
    "--data-root", path.join(dir, "data"),
    "--exec-root", path.join(dir, "exec"),
    "--pidfile", path.join(dir, "docker.pid"),
    "--host", `unix://${socket}`,
    "--storage-driver", "vfs",
    "--iptables=false",
    "--ip6tables=false",
    "--ip-forward=false",
    "--ip-masq=false",
    "--bridge", "none",
    "--userland-proxy=false",
    "--exec-opt", "native.cgroupdriver=cgroupfs",
    "--log-level", "warn",
    ...(options.insecureRegistries ?? []).flatMap((r) => ["--insecure-registry", r]),
  ];
  const { child, logs } = spawnLogged("dockerd", args, path.join(dir, "dockerd.log"));
  const env = { DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: path.join(dir, "cli") };
  const cli = fs.existsSync("/usr/bin/docker") ? "/usr/bin/docker" : "docker";
  const stop = () => stopChild(child, "SIGTERM", 20_000);
  try {
    await waitUntilReady(child, logs, "dockerd", async () => {
      if (!(await socketAnswers(socket))) return false;
      await run(cli, ["version", "--format", "{{.Server.Version}}"], { env: { ...process.env, ...env }, timeout: 10_000 });
      return true;
    }, 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { child, logs, stop, socket, cli, env };
}
