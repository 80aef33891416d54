import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const LICENSE_ID_LENGTH = 27;
export const LICENSE_ID_PATTERN = /^[0-9A-Za-z]{27}$/;

// 248 = 4 * 62: bytes at or above it are discarded so every character is
// equally likely (no modulo bias). ~160 bits of entropy.
const LIMIT = 248;

export function generateLicenseId(length = LICENSE_ID_LENGTH): string {
  let out = "";
  while (out.length < length) {
    const bytes = randomBytes(length * 2);
    for (const b of bytes) {
      if (b >= LIMIT) continue;
      out += ALPHABET[b % 62];
      if (out.length === length) break;
    }
  }
  return out;
}
