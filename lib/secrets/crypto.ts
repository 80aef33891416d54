import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { deriveKey, getMasterKey, parseMasterKey } from "@/lib/secrets/master-key";

// Upstream registry secrets at rest: AES-256-GCM, a random 12-byte nonce per
// encryption, and a header naming the key that sealed it, so keys can rotate:
//
//   v<version>.<key id>:<base64(nonce | tag | ciphertext)>
//
// The version is the key generation number (1 for the first key; every
// PULLGATE_SECRET_KEY_PREVIOUS entry before the current key adds one). The key
// id is a fingerprint of the derived key and is what decryption looks keys up
// by, so removing an old key from the previous-keys list never makes a newer
// key unreadable. The header is authenticated as GCM additional data.

const PURPOSE = "registry-secrets";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = /^v(\d+)\.([0-9a-f]{8}):([A-Za-z0-9+/]+={0,2})$/;

export type SecretKey = { version: number; id: string; key: Buffer };

export type SealedSecret = { ciphertext: string; keyVersion: number };

export class SecretDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretDecryptionError";
  }
}

function keyId(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 8);
}

function toSecretKey(master: Buffer, version: number): SecretKey {
  const key = deriveKey(PURPOSE, master);
  return { version, id: keyId(key), key };
}

/**
 * The keyring from the environment: the current key (PULLGATE_SECRET_KEY)
 * first, then the previous ones (PULLGATE_SECRET_KEY_PREVIOUS, comma list,
 * oldest first), which are only ever used to decrypt.
 */
export type KeyEnv = { PULLGATE_SECRET_KEY?: string; PULLGATE_SECRET_KEY_PREVIOUS?: string };

export function loadKeyring(env: KeyEnv = process.env as KeyEnv): SecretKey[] {
  const previous = (env.PULLGATE_SECRET_KEY_PREVIOUS ?? "")
    .split(",")
    .map((value) => value.trim())
    .filter(Boolean)
    .map((value, index) => {
      try {
        return toSecretKey(parseMasterKey(value), index + 1);
      } catch {
        // Never echo the value: say which entry is wrong.
        throw new Error(`PULLGATE_SECRET_KEY_PREVIOUS entry ${index + 1} is not a base64 32-byte key.`);
      }
    });
  const currentMaster = env === (process.env as KeyEnv) ? getMasterKey() : parseMasterKey(env.PULLGATE_SECRET_KEY);
  const current = toSecretKey(currentMaster, previous.length + 1);
  return [current, ...previous.reverse()];
}

function header(key: SecretKey): string {
  return `v${key.version}.${key.id}`;
}

export function encryptSecret(plaintext: string, keyring: SecretKey[] = loadKeyring()): SealedSecret {
  const current = keyring[0];
  if (!current) throw new Error("No secret key configured.");
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", current.key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(header(current)));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const sealed = Buffer.concat([nonce, cipher.getAuthTag(), body]).toString("base64");
  return { ciphertext: `${header(current)}:${sealed}`, keyVersion: current.version };
}

export function decryptSecret(ciphertext: string, keyring: SecretKey[] = loadKeyring()): string {
  const match = FORMAT.exec(ciphertext);
  if (!match) throw new SecretDecryptionError("Stored secret has an unknown format.");
  const [, version, id, payload] = match as unknown as [string, string, string, string];
  const key = keyring.find((candidate) => candidate.id === id);
  if (!key) {
    throw new SecretDecryptionError(
      `Stored secret was encrypted with key version ${version} (id ${id}), which is not configured: ` +
        "add that key to PULLGATE_SECRET_KEY_PREVIOUS.",
    );
  }
  const raw = Buffer.from(payload, "base64");
  if (raw.length < NONCE_BYTES + TAG_BYTES) throw new SecretDecryptionError("Stored secret is truncated.");
  const decipher = createDecipheriv("aes-256-gcm", key.key, raw.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(`v${version}.${id}`));
  decipher.setAuthTag(raw.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptionError("Stored secret failed authentication (wrong key or tampered ciphertext).");
  }
}

/** True when the ciphertext was not sealed with the current key. */
export function needsReencryption(ciphertext: string, keyring: SecretKey[] = loadKeyring()): boolean {
  const current = keyring[0];
  return !current || !ciphertext.startsWith(`${header(current)}:`);
}
