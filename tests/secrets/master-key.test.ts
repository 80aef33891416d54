import { afterEach, describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { deriveKey, ensureDevMasterKey, getMasterKey, parseMasterKey } from "@/lib/secrets/master-key";

const original = process.env.PULLGATE_SECRET_KEY;
afterEach(() => {
  if (original === undefined) delete process.env.PULLGATE_SECRET_KEY;
  else process.env.PULLGATE_SECRET_KEY = original;
});

describe("master key", () => {
  it("reads a base64 32-byte key from PULLGATE_SECRET_KEY", () => {
    const key = Buffer.alloc(32, 7);
    process.env.PULLGATE_SECRET_KEY = key.toString("base64");
    expect(getMasterKey().equals(key)).toBe(true);
  });

  it("explains a missing or wrong-length key without echoing the value", () => {
    delete process.env.PULLGATE_SECRET_KEY;
    expect(() => getMasterKey()).toThrow(/PULLGATE_SECRET_KEY is not set/);
    const short = Buffer.alloc(16, 9).toString("base64");
    expect(() => parseMasterKey(short)).toThrow(/32 bytes/);
    try {
      parseMasterKey(short);
    } catch (err) {
      expect((err as Error).message).not.toContain(short);
    }
    expect(() => parseMasterKey("not base64 at all!")).toThrow(/decodes to 0 bytes/);
  });

  it("derives distinct, stable keys per purpose", () => {
    const master = Buffer.alloc(32, 1);
    const a = deriveKey("auth-secret", master);
    expect(a).toHaveLength(32);
    expect(deriveKey("auth-secret", master).equals(a)).toBe(true);
    expect(deriveKey("proxy-jwt", master).equals(a)).toBe(false);
    expect(a.equals(master)).toBe(false);
  });

  it("generates the embedded-mode key once, private to the owner", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pullgate-key-"));
    const first = ensureDevMasterKey(dir);
    expect(parseMasterKey(first)).toHaveLength(32);
    expect(ensureDevMasterKey(dir)).toBe(first);
    expect(fs.statSync(path.join(dir, "secret.key")).mode & 0o777).toBe(0o600);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("master key at the edges", () => {
  const key = Buffer.alloc(32, 5).toString("base64");

  it("trims the value, refuses blank ones and anything that is not plain base64", () => {
    expect(parseMasterKey(`  ${key}\n`).equals(Buffer.alloc(32, 5))).toBe(true);
    expect(() => parseMasterKey("   ")).toThrow(
      "PULLGATE_SECRET_KEY is not set. Generate one with `openssl rand -base64 32` and set it in the environment (the embedded database mode generates one automatically in the data directory).",
    );
    // Base64url, a prefix, or a padding run would otherwise decode to 32 bytes by accident.
    expect(() => parseMasterKey(`!${key}`)).toThrow(/decodes to 0 bytes/);
    expect(() => parseMasterKey(`${key}!`)).toThrow(/decodes to 0 bytes/);
    const noPadding = key.replace(/=+$/, "");
    expect(parseMasterKey(noPadding)).toHaveLength(32);
    expect(() => parseMasterKey(Buffer.alloc(31).toString("base64"))).toThrow(
      "PULLGATE_SECRET_KEY must be 32 bytes encoded as base64 (44 characters); the value set decodes to 31 bytes. Generate one with `openssl rand -base64 32`.",
    );
  });

  it("derives with HKDF-SHA256 under pullgate:<purpose>", async () => {
    const { hkdfSync } = await import("node:crypto");
    const master = Buffer.alloc(32, 3);
    expect(deriveKey("proxy-jwt", master).equals(Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), "pullgate:proxy-jwt", 32)))).toBe(true);
  });

  it("keeps an existing key file, and refuses one that is empty or not a key", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pullgate-key-"));
    try {
      const file = path.join(dir, "secret.key");
      fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
      expect(ensureDevMasterKey(dir)).toBe(key);
      expect(fs.readFileSync(file, "utf8")).toBe(`${key}\n`);
      fs.writeFileSync(file, "not a key\n");
      expect(() => ensureDevMasterKey(dir)).toThrow(`${file} does not hold a valid base64 32-byte key.`);
      fs.writeFileSync(file, "\n");
      expect(() => ensureDevMasterKey(dir)).toThrow(`${file} is empty: delete it to generate a new key (only if no secrets were stored with it).`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes a fresh key as one base64 line", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pullgate-key-"));
    try {
      const value = ensureDevMasterKey(dir);
      expect(fs.readFileSync(path.join(dir, "secret.key"), "utf8")).toBe(`${value}\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
