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

describe("registry secret encryption at the edges", () => {
  it("numbers previous keys oldest first, trims the list, and orders the ring newest first", () => {
    const ring = loadKeyring({ PULLGATE_SECRET_KEY: keyC, PULLGATE_SECRET_KEY_PREVIOUS: ` ${keyA} ,, ${keyB} ` });
    expect(ring.map((k) => k.version)).toEqual([3, 2, 1]);
    expect(ring[1]!.id).toBe(loadKeyring({ PULLGATE_SECRET_KEY: keyB })[0]!.id);
    expect(ring[2]!.id).toBe(loadKeyring({ PULLGATE_SECRET_KEY: keyA })[0]!.id);
    expect(() => loadKeyring({ PULLGATE_SECRET_KEY: keyA, PULLGATE_SECRET_KEY_PREVIOUS: `${keyB},bad` })).toThrow("PULLGATE_SECRET_KEY_PREVIOUS entry 2 is not a base64 32-byte key.");
  });

  it("reads the current key from the process environment by default", () => {
    const saved = process.env.PULLGATE_SECRET_KEY;
    process.env.PULLGATE_SECRET_KEY = keyB;
    try {
      expect(loadKeyring()[0]!.id).toBe(loadKeyring({ PULLGATE_SECRET_KEY: keyB })[0]!.id);
      expect(decryptSecret(encryptSecret("via env").ciphertext, loadKeyring({ PULLGATE_SECRET_KEY: keyB }))).toBe("via env");
    } finally {
      process.env.PULLGATE_SECRET_KEY = saved;
    }
  });

  it("refuses an empty keyring, truncated payloads, and says what failed without the secret", () => {
    expect(() => encryptSecret("x", [])).toThrow("No secret key configured.");
    const ring = loadKeyring({ PULLGATE_SECRET_KEY: keyA });
    const { ciphertext } = encryptSecret("", ring);
    // An empty secret is exactly nonce + tag: still valid.
    expect(decryptSecret(ciphertext, ring)).toBe("");
    const [head, body] = ciphertext.split(":") as [string, string];
    const short = Buffer.from(body, "base64").subarray(0, 27).toString("base64");
    const err = (() => {
      try {
        decryptSecret(`${head}:${short}`, ring);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(SecretDecryptionError);
    expect(err?.name).toBe("SecretDecryptionError");
    expect(err?.message).toBe("Stored secret is truncated.");
    const raw = Buffer.from(encryptSecret("tamper me", ring).ciphertext.split(":")[1]!, "base64");
    raw[0]! ^= 1; // the nonce
    expect(() => decryptSecret(`${head}:${raw.toString("base64")}`, ring)).toThrow("Stored secret failed authentication (wrong key or tampered ciphertext).");
    const version1 = encryptSecret("abc", ring).ciphertext;
    expect(() => decryptSecret(version1, loadKeyring({ PULLGATE_SECRET_KEY: keyB }))).toThrow(
      `Stored secret was encrypted with key version 1 (id ${head.split(".")[1]}), which is not configured: add that key to PULLGATE_SECRET_KEY_PREVIOUS.`,
    );
  });

  it("seals with AES-256-GCM and a 16-byte tag: the payload is nonce, tag, then the UTF-8 ciphertext", () => {
    const ring = loadKeyring({ PULLGATE_SECRET_KEY: keyA });
    const plaintext = "pässwörd";
    const raw = Buffer.from(encryptSecret(plaintext, ring).ciphertext.split(":")[1]!, "base64");
    expect(raw.length).toBe(12 + 16 + Buffer.byteLength(plaintext, "utf8"));
  });
});
