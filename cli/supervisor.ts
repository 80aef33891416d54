import type { ChildProcess } from "node:child_process";

// Keeps `pullgate start`'s processes (portal, proxy, embedded database)
// running. A process that dies is started again after a back-off (1 s,
// doubling up to 30 s, back to 1 s once a run lasted a minute), each restart
// logged and counted; the others are not touched, so a crashed proxy never
// takes the portal down with it. A process that fails while starting counts
// as a crash too. stop() drains them in the order given (portal and proxy
// first, the database they use last), each with its own grace period before
// SIGKILL.

export type SupervisedProcess = {
  name: string;
  /**
   * Starts the process and resolves once it serves; rejects when it exits or
   * never answers. Calls track(child) as soon as the child exists, so a stop
   * requested meanwhile can reach it.
   */
  start(track: (child: ChildProcess) => void): Promise<ChildProcess>;
  /** How long stop() waits after SIGTERM before SIGKILL, ms. */
  stopGraceMs: number;
};

export type SupervisorOptions = {
  log: (message: string) => void;
  /** Something changed (a pid, a restart count): e.g. refresh the instance note. */
  onChange?: () => void;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A run this long resets the back-off. */
  stableMs?: number;
};

type State = {
  spec: SupervisedProcess;
  child: ChildProcess | null;
  exited: Promise<void> | null;
  ready: boolean;
  startedAt: number;
  backoffMs: number;
  timer: NodeJS.Timeout | null;
  restarts: number;
};

export class Supervisor {
  private readonly states = new Map<string, State>();
  private stopping = false;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly stableMs: number;

  constructor(private readonly options: SupervisorOptions) {
    this.initialBackoffMs = options.initialBackoffMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.stableMs = options.stableMs ?? 60_000;
  }

  /** First start of a process: rejects (and leaves nothing running) if it does not come up. */
  async add(spec: SupervisedProcess): Promise<void> {
    const state: State = { spec, child: null, exited: null, ready: false, startedAt: 0, backoffMs: this.initialBackoffMs, timer: null, restarts: 0 };
    this.states.set(spec.name, state);
    await this.launch(state);
    this.options.onChange?.();
  }

  pid(name: string): number | undefined {
    return this.states.get(name)?.child?.pid;
  }

  restarts(): Record<string, number> {
    return Object.fromEntries([...this.states].map(([name, s]) => [name, s.restarts]));
  }

  /** Stops everything: the groups one after the other, the processes of a group together. */
  async stop(groups: string[][], options: { immediate?: boolean } = {}): Promise<void> {
    this.stopping = true;
    for (const state of this.states.values()) {
      if (state.timer) clearTimeout(state.timer);
      state.timer = null;
    }
    const named = new Set(groups.flat());
    const rest = [...this.states.keys()].filter((name) => !named.has(name));
    for (const group of [...groups, rest]) {
      await Promise.all(group.map((name) => this.states.get(name)).filter((s): s is State => !!s).map((s) => this.stopOne(s, options.immediate ?? false)));
    }
  }

  /** SIGKILL to whatever is still running (a second Ctrl+C); the database still gets SIGTERM from stop(). */
  kill(names: string[]): void {
    for (const name of names) this.states.get(name)?.child?.kill("SIGKILL");
  }

  private async launch(state: State): Promise<void> {
    state.ready = false;
    let tracked: ChildProcess | null = null;
    const track = (child: ChildProcess) => {
      tracked = child;
      state.child = child;
      state.exited = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", (code, signal) => {
          resolve();
          this.onExit(state, child, code, signal);
        });
      });
    };
    try {
      const child = await state.spec.start(track);
      if (tracked !== child) track(child);
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited during start-up (${describeExit(child.exitCode, child.signalCode)})`);
    } catch (err) {
      const child = tracked as ChildProcess | null;
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await state.exited;
      }
      if (state.child === child) state.child = null;
      throw err;
    }
    state.ready = true;
    state.startedAt = Date.now();
  }

  private onExit(state: State, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (state.child !== child) return;
    state.child = null;
    this.options.onChange?.();
    // Exits while stopping are expected; exits during a start make launch() reject.
    if (this.stopping || !state.ready) return;
    const ranMs = Date.now() - state.startedAt;
    if (ranMs >= this.stableMs) state.backoffMs = this.initialBackoffMs;
    this.scheduleRestart(state, `exited unexpectedly (${describeExit(code, signal)}) after ${formatMs(ranMs)}`);
  }

  private scheduleRestart(state: State, reason: string): void {
    const delay = state.backoffMs;
    state.backoffMs = Math.min(this.maxBackoffMs, delay * 2);
    const name = state.spec.name;
    this.options.log(`${name} ${reason}; restarting it in ${formatMs(delay)} (restart ${state.restarts + 1})`);
    state.timer = setTimeout(() => {
      state.timer = null;
      if (this.stopping) return;
      state.restarts++;
      this.options.onChange?.();
      this.launch(state).then(
        () => {
          this.options.log(`${name} is back (pid ${state.child?.pid}, restart ${state.restarts})`);
          this.options.onChange?.();
        },
        (err: Error) => {
          if (!this.stopping) this.scheduleRestart(state, `did not come back: ${err.message.replace(/\.$/, "")}`);
        },
      );
    }, delay);
  }

  private async stopOne(state: State, immediate: boolean): Promise<void> {
    const child = state.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(immediate ? "SIGKILL" : "SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      state.exited!.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), state.spec.stopGraceMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.options.log(`${state.spec.name} did not stop within ${formatMs(state.spec.stopGraceMs)}: killing it`);
      child.kill("SIGKILL");
      await state.exited;
    }
  }
}

export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

function formatMs(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1).replace(/\.0$/, "")} s` : `${Math.round(ms / 1000)} s`;
}
