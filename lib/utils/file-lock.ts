import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { isProcessAlive } from "@/lib/utils/process-alive";

// An exclusive lock on a file that the operating system releases when the
// holding process dies, however it dies (kill -9, OOM killer, power cut of a
// container): nothing stale is left behind to clean up or to mistake for a
// live holder. The holder writes a short JSON note (pid, ports…) into the file
// so a refused contender can say who holds it.
//
// Why this mechanism: Node has no flock. Of the options,
//  - fs-native-extensions (maintained by Holepunch, prebuilt binaries shipped
//    in the npm package, no install script, so it installs offline and under
//    npm 11's skipped scripts) takes an open-file-description lock
//    (fcntl F_OFD_SETLK on Linux, flock on macOS, LockFileEx on Windows): held
//    by the open file, released by the kernel when the last descriptor closes,
//    keyed on the file itself (so two spellings of one directory, bind mounts
//    and separate network namespaces all see the same lock) and, unlike
//    classic POSIX locks, not dropped when some other code in the process
//    closes another descriptor of the same file;
//  - spawning util-linux `flock` on a shared descriptor gives the same lock
//    but needs that binary (absent on macOS and slim images);
//  - holding a TCP port or an abstract socket keys the lock on a name rather
//    than the directory, and is scoped to one network namespace;
//  - proper-lockfile is mtime based: a holder that dies leaves a lock that
//    only a timeout clears, and a stalled holder can lose it.
// Where the native addon cannot load (an unsupported platform), a pid file
// created with O_EXCL stands in: a lock left by a dead process is taken over,
// with the weakness that a recycled pid looks alive.
//
// The lock file is never deleted: removing it on release would let two later
// contenders lock two different files under the same name.

export type FileLock = {
  readonly file: string;
  /** Replaces the note contenders read (JSON of the holder's details). */
  write(note: Record<string, unknown>): void;
  /** Releases the lock (the OS does the same if the process dies). */
  release(): void;
};

type NativeLocks = { tryLock(fd: number): boolean };

let native: NativeLocks | null | undefined;
let nativeError = "";

function nativeLocks(): NativeLocks | null {
  if (native === undefined) {
    try {
      native = createRequire(import.meta.url)("fs-native-extensions") as NativeLocks;
    } catch (err) {
      native = null;
      nativeError = err instanceof Error ? err.message : String(err);
    }
  }
  return native;
}

/** How locks are taken on this machine (for a warning at start-up). */
export function lockMechanism(): { osReleased: boolean; detail: string } {
  return nativeLocks() ? { osReleased: true, detail: "open file description lock" } : { osReleased: false, detail: `pid file (native locks unavailable: ${nativeError})` };
}

/**
 * Takes the exclusive lock on `file` (created 0600 when missing), writing
 * `note` into it, or returns null when another process (or another open of
 * the file in this process) holds it.
 */
export function tryLockFile(file: string, note: Record<string, unknown> = {}): FileLock | null {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const locks = nativeLocks();
  return locks ? tryNativeLock(locks, file, note) : tryPidFileLock(file, note);
}

/** The note the current holder wrote, or null when there is none (or it is being written). */
export function readLockNote(file: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function tryNativeLock(locks: NativeLocks, file: string, note: Record<string, unknown>): FileLock | null {
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
  let locked = false;
  try {
    locked = locks.tryLock(fd);
  } finally {
    if (!locked) fs.closeSync(fd);
  }
  if (!locked) return null;
  let open = true;
  const write = (value: Record<string, unknown>) => {
    if (!open) return;
    const text = JSON.stringify({ pid: process.pid, ...value }) + "\n";
    fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, text, 0);
  };
  write(note);
  return {
    file,
    write,
    release() {
      if (!open) return;
      open = false;
      fs.closeSync(fd);
    },
  };
}

function tryPidFileLock(file: string, note: Record<string, unknown>): FileLock | null {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify({ pid: process.pid, ...note }) + "\n", { flag: "wx", mode: 0o600 });
      let held = true;
      return {
        file,
        write(value) {
          if (held) fs.writeFileSync(file, JSON.stringify({ pid: process.pid, ...value }) + "\n", { mode: 0o600 });
        },
        release() {
          if (!held) return;
          held = false;
          if (readLockNote(file)?.pid === process.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = readLockNote(file)?.pid;
    if (typeof holder === "number" && isProcessAlive(holder)) return null;
    // Stale, or a native-mode file nobody holds: move it aside atomically so one contender removes it.
    const aside = `${file}.stale.${process.pid}`;
    try {
      fs.renameSync(file, aside);
      fs.rmSync(aside, { force: true });
    } catch {
      /* another process took it over first: retry */
    }
  }
  throw new Error(`Could not lock ${file}: it keeps changing.`);
}
