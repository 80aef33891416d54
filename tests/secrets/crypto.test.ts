import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, loadKeyring, needsReencryption, SecretDecryptionError } from "@/lib/secrets/crypto";

const keyA = randomBytes(32).toString("base64");
const keyB = randomBytes(32).toString("base64");
const keyC = randomBytes(32).toString("base64");

describe("registry secret encryption", () => {
  it("round-trips with a random nonce and a versioned header", () => {
    const ring = loadKeyring({ PULLGATE_SECRET_KEY: keyA });
    const one = encryptSecret("s3cret-pässword", ring);
    const two = encryptSecret("s3cret-pässword", ring);
    expect(one.ciphertext).toMatch(/^v1\.[0-9a-f]{8}:/);
    expect(one.keyVersion).toBe(1);
    expect(one.ciphertext).not.toBe(two.ciphertext);
    expect(one.ciphertext).not.toContain("s3cret");
    expect(decryptSecret(one.ciphertext, ring)).toBe("s3cret-pässword");
  });

  it("detects tampering and a wrong key", () => {
    const ring = loadKeyring({ PULLGATE_SECRET_KEY: keyA });
    const { ciphertext } = encryptSecret("abc", ring);
    const raw = Buffer.from(ciphertext.split(":")[1]!, "base64");
    raw[raw.length - 1]! ^= 1;
    const tampered = `${ciphertext.split(":")[0]}:${raw.toString("base64")}`;
    expect(() => decryptSecret(tampered, ring)).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(ciphertext, loadKeyring({ PULLGATE_SECRET_KEY: keyB }))).toThrow(/not configured/);
    expect(() => decryptSecret("plain", ring)).toThrow(/unknown format/);
  });

  it("rotates: previous keys decrypt, the current key encrypts with a higher version", () => {
    const old = loadKeyring({ PULLGATE_SECRET_KEY: keyA });
    const sealedOld = encryptSecret("old-secret", old);
    const rotated = loadKeyring({ PULLGATE_SECRET_KEY: keyB, PULLGATE_SECRET_KEY_PREVIOUS: keyA });
    expect(needsReencryption(sealedOld.ciphertext, rotated)).toBe(true);
    expect(decryptSecret(sealedOld.ciphertext, rotated)).toBe("old-secret");
    const sealedNew = encryptSecret("old-secret", rotated);
    expect(sealedNew.keyVersion).toBe(2);
    expect(needsReencryption(sealedNew.ciphertext, rotated)).toBe(false);
    // A third generation, with the oldest key dropped, still reads generation 2.
    const third = loadKeyring({ PULLGATE_SECRET_KEY: keyC, PULLGATE_SECRET_KEY_PREVIOUS: keyB });
    expect(decryptSecret(sealedNew.ciphertext, third)).toBe("old-secret");
    expect(() => decryptSecret(sealedOld.ciphertext, third)).toThrow(/version 1/);
  });

  it("never echoes a bad previous key", () => {
    expect(() => loadKeyring({ PULLGATE_SECRET_KEY: keyA, PULLGATE_SECRET_KEY_PREVIOUS: "not-a-key-value" })).toThrow(
      /entry 1/,
    );
    try {
      loadKeyring({ PULLGATE_SECRET_KEY: keyA, PULLGATE_SECRET_KEY_PREVIOUS: "not-a-key-value" });
    } catch (err) {
      expect(String(err)).not.toContain("not-a-key-value");
    }
  });
});
