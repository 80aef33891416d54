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
