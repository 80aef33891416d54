import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

// The embedded database's files are readable by this user only: the data
// directory and every directory under pgdata 0700, the database files, the
// password, the lock and embedded.json 0600. PGlite writes its initial files
// world-readable (and a few later ones 0644), so the tree is tightened when
// the server opens it, once PGlite has created it, and when it closes.

export const DB_PASSWORD_FILE = "db-password";

/** Creates the data directory (0700) or tightens an existing one. */
export function prepareDataDir(dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dataDir, 0o700);
}

/**
 * Sets the data directory to 0700, its own files to 0600 and everything under
 * pgdata to 0700/0600. Other subdirectories (the blob cache) are left as they
 * are: nobody else can reach them through a 0700 directory, and nginx offload
 * uses a cache directory of its own (README).
 */
export function tightenDataDir(dataDir: string, databaseDir: string): void {
  fs.chmodSync(dataDir, 0o700);
  for (const entry of fs.readdirSync(dataDir, { withFileTypes: true })) {
    if (entry.isFile()) chmodQuietly(path.join(dataDir, entry.name), 0o600);
  }
  tightenTree(databaseDir);
}

function tightenTree(dir: string): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  chmodQuietly(dir, 0o700);
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) tightenTree(full);
    else if (entry.isFile()) chmodQuietly(full, 0o600);
  }
}

function chmodQuietly(file: string, mode: number): void {
  try {
    if ((fs.statSync(file).mode & 0o777) !== mode) fs.chmodSync(file, mode);
  } catch (err) {
    // PGlite may remove a temporary file between listing and chmod.
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

/**
 * The embedded server's password: 32 random bytes (base64url, safe in a URL
 * as is) in `<dataDir>/db-password`, created 0600 on first use with O_EXCL so
 * two processes starting at once agree on one.
 */
export function ensureDbPassword(dataDir: string): string {
  const file = path.join(dataDir, DB_PASSWORD_FILE);
  try {
    const fd = fs.openSync(file, "wx", 0o600);
    try {
      fs.writeSync(fd, `${randomBytes(32).toString("base64url")}\n`);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const password = readDbPassword(dataDir);
  if (!password) throw new Error(`${file} is empty or unreadable: delete it and start again (a new password is generated).`);
  return password;
}

/** The password clients use, or null when there is none (yet). */
export function readDbPassword(dataDir: string): string | null {
  try {
    const value = fs.readFileSync(path.join(dataDir, DB_PASSWORD_FILE), "utf8").trim();
    return /^[A-Za-z0-9_-]{20,}$/.test(value) ? value : null;
  } catch {
    return null;
  }
}
