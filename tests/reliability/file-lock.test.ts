import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lockMechanism, readLockNote, tryLockFile } from "@/lib/utils/file-lock";

// The data directory locks (one `pullgate start`, one embedded database
// server per directory): exclusive, with a note naming the holder, and
// released by the operating system when the holder dies, even by SIGKILL.

const root = path.resolve(import.meta.dirname, "../..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pullgate-lock-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("file lock", () => {
  it("is exclusive (even to a second open in the same process) and tells who holds it", () => {
    expect(lockMechanism().osReleased).toBe(true);
    const file = path.join(dir, "a.lock");
    const lock = tryLockFile(file, { proxyPort: 5050 });
    expect(lock).not.toBeNull();
    expect(tryLockFile(file)).toBeNull();
    expect(readLockNote(file)).toEqual({ pid: process.pid, proxyPort: 5050 });
    lock!.write({ proxyPort: 5051 });
    expect(readLockNote(file)).toEqual({ pid: process.pid, proxyPort: 5051 });
    lock!.release();
    const again = tryLockFile(file);
    expect(again).not.toBeNull();
    again!.release();
  });

  it("is released by the OS when the holding process is killed with SIGKILL", async () => {
    const file = path.join(dir, "b.lock");
    const holder = spawn(
      process.execPath,
      ["--import", "tsx", "-e", `import("./lib/utils/file-lock.ts").then((m) => { if (m.tryLockFile(${JSON.stringify(file)})) console.log("locked"); setInterval(() => {}, 1000); })`],
      { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.on("data", (d: Buffer) => d.toString().includes("locked") && resolve());
      holder.once("exit", (code) => reject(new Error(`holder exited (${code})`)));
    });
    expect(tryLockFile(file)).toBeNull();
    expect(readLockNote(file)?.pid).toBe(holder.pid);

    const exited = new Promise((resolve) => holder.once("exit", resolve));
    holder.kill("SIGKILL");
    await exited;
    const lock = tryLockFile(file);
    expect(lock).not.toBeNull();
    lock!.release();
  }, 60_000);
});
