import path from "node:path";
import { readLockNote, tryLockFile, type FileLock } from "@/lib/utils/file-lock";

// One `pullgate start` per data directory. The lock (lib/utils/file-lock.ts)
// is released by the operating system when the instance dies, so a crashed
// instance never blocks the next start; the note in the lock file names the
// running instance's pid and ports for the refusal message.

export const INSTANCE_LOCK_FILE = "pullgate.lock";

export type InstanceNote = {
  pid: number;
  startedAt: string;
  portalPort?: number;
  proxyPort?: number;
  databasePort?: number;
  children?: Record<string, number | undefined>;
  restarts?: Record<string, number>;
};

export class InstanceRunningError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: Partial<InstanceNote> | null,
  ) {
    super(describeRunning(dataDir, holder));
    this.name = "InstanceRunningError";
  }
}

export function acquireInstanceLock(dataDir: string, note: Omit<InstanceNote, "pid" | "startedAt">): FileLock & { update(note: Partial<InstanceNote>): void } {
  const file = path.join(dataDir, INSTANCE_LOCK_FILE);
  const startedAt = new Date().toISOString();
  let current: Omit<InstanceNote, "pid"> = { startedAt, ...note };
  const lock = tryLockFile(file, current);
  if (!lock) throw new InstanceRunningError(dataDir, readHolderNote(file));
  return {
    ...lock,
    update(change) {
      current = { ...current, ...change };
      lock.write(current);
    },
  };
}

/** The holder's note; it may be between truncating and rewriting it, so look again briefly. */
function readHolderNote(file: string): Partial<InstanceNote> | null {
  for (let attempt = 0; attempt < 10; attempt++) {
    const note = readLockNote(file);
    if (note) return note as Partial<InstanceNote>;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  return null;
}

function describeRunning(dataDir: string, holder: Partial<InstanceNote> | null): string {
  const parts: string[] = [];
  if (typeof holder?.pid === "number") parts.push(`process ${holder.pid}`);
  if (typeof holder?.portalPort === "number") parts.push(`portal port ${holder.portalPort}`);
  if (typeof holder?.proxyPort === "number") parts.push(`proxy port ${holder.proxyPort}`);
  if (typeof holder?.startedAt === "string") parts.push(`started ${holder.startedAt}`);
  const who = parts.length ? ` (${parts.join(", ")})` : "";
  const stop = typeof holder?.pid === "number" ? `Stop it first (kill -TERM ${holder.pid})` : "Stop it first";
  return `Pullgate is already running on the data directory ${dataDir}${who}. ${stop}, or give this instance its own PULLGATE_DATA_DIR.`;
}
