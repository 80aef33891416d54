import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { InstanceNote } from "../../cli/instance-lock";

/**
 * `pullgate start` as users run it, as a child process of the test: its
 * output is collected, ready() waits for the summary it prints once
 * everything serves, and note() reads the instance note in the data
 * directory's lock file (pids of its children, ports, restart counts).
 */
export type PullgateStart = {
  child: ChildProcess;
  output: () => string;
  ready: () => Promise<void>;
  note: () => InstanceNote;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after graceMs. */
  stop: (graceMs?: number) => Promise<number | null>;
};

const root = path.resolve(import.meta.dirname, "../..");

export function pullgateStart(args: string[], env: Record<string, string | undefined>): PullgateStart {
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete fullEnv[k];
  const child = spawn(process.execPath, [path.join(root, "bin/pullgate.mjs"), "start", ...args], { cwd: root, env: fullEnv, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const dataDir = fullEnv.PULLGATE_DATA_DIR!;
  return {
    child,
    output: () => output,
    exited,
    // The instance rewrites its note in place (the locked file): a read between truncate and write sees it empty.
    note: () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return JSON.parse(fs.readFileSync(path.join(dataDir, "pullgate.lock"), "utf8")) as InstanceNote;
        } catch (err) {
          if (attempt >= 10 || !(err instanceof SyntaxError)) throw err;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
        }
      }
    },
    async ready() {
      const deadline = Date.now() + 240_000;
      while (!output.includes("Pullgate is running.")) {
        if (child.exitCode !== null) throw new Error(`pullgate start exited (${child.exitCode}):\n${output}`);
        if (Date.now() > deadline) throw new Error(`pullgate start did not get ready:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop(graceMs = 60_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Polls `probe` until `done` accepts its value or the deadline passes; returns the last value. */
export async function until<T>(probe: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
