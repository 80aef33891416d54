import { createHash, randomBytes } from "node:crypto";

// Recovery codes: 10 codes of 50 random bits each (xxxxx-xxxxx, base32
// letters), shown once at enrolment. They are random, not chosen by people, so
// a SHA-256 (not a slow password hash) is enough to store them: the stored
// hash is useless without the code.

const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
export const RECOVERY_CODE_COUNT = 10;

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(10);
    const chars = [...bytes].map((b) => ALPHABET[b & 31]).join("");
    return `${chars.slice(0, 5)}-${chars.slice(5, 10)}`;
  });
}

/** Case and the dash do not matter when a code is typed back. */
export function hashRecoveryCode(code: string): string {
  return createHash("sha256").update(code.trim().toLowerCase().replace(/[\s-]/g, "")).digest("hex");
}
