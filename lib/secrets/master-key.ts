import { hkdfSync, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

// The master key protects upstream registry secrets (AES-256-GCM) and seeds
// every signing key (JWTs, Auth.js). It comes from PULLGATE_SECRET_KEY; only
// the embedded (zero-configuration) mode generates one and keeps it in the
// data directory. Error messages never include the key's value.

const KEY_BYTES = 32;
export const SECRET_KEY_FILE = "secret.key";

export function parseMasterKey(value: string | undefined): Buffer {
  if (!value || !value.trim()) {
    throw new Error(
      "PULLGATE_SECRET_KEY is not set. Generate one with `openssl rand -base64 32` and set it in the environment " +
        "(the embedded database mode generates one automatically in the data directory).",
    );
  }
  const trimmed = value.trim();
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, "base64") : Buffer.alloc(0);
  if (key.length !== KEY_BYTES) {
    throw new Error(
      `PULLGATE_SECRET_KEY must be ${KEY_BYTES} bytes encoded as base64 (44 characters); the value set decodes to ${key.length} bytes. ` +
        "Generate one with `openssl rand -base64 32`.",
    );
  }
  return key;
}

export function getMasterKey(): Buffer {
  return parseMasterKey(process.env.PULLGATE_SECRET_KEY);
}

/**
 * A 32-byte key for one purpose (e.g. "auth-secret", "proxy-jwt"), derived
 * with HKDF-SHA256 so that no two uses share key material and the master key
 * itself is never used directly.
 */
export function deriveKey(purpose: string, masterKey: Buffer = getMasterKey()): Buffer {
  return Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), `pullgate:${purpose}`, KEY_BYTES));
}

/**
 * Embedded mode only: returns the base64 master key stored in
 * `<dataDir>/secret.key`, creating it (mode 0600) on first use. Creation uses
 * O_EXCL so two processes starting at once agree on one key.
 */
export function ensureDevMasterKey(dataDir: string): string {
  const file = path.join(dataDir, SECRET_KEY_FILE);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    const fd = fs.openSync(file, "wx", 0o600);
    try {
      fs.writeSync(fd, randomBytes(KEY_BYTES).toString("base64") + "\n");
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const value = readKeyFile(file);
  parseMasterKeyFromFile(value, file);
  return value;
}

function readKeyFile(file: string): string {
  // A concurrent creator may not have written yet: wait briefly for content.
  for (let i = 0; i < 50; i++) {
    const value = fs.readFileSync(file, "utf8").trim();
    if (value) return value;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  throw new Error(`${file} is empty: delete it to generate a new key (only if no secrets were stored with it).`);
}

function parseMasterKeyFromFile(value: string, file: string): void {
  try {
    parseMasterKey(value);
  } catch {
    throw new Error(`${file} does not hold a valid base64 32-byte key.`);
  }
}
