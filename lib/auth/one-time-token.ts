import { createHash, randomBytes } from "node:crypto";
import { ONE_TIME_TOKEN_PATTERN } from "@/lib/auth/schemas";

// Tokens of emailed links (invitations, password resets): 256 random bits,
// base64url. Only their SHA-256 is stored and a presented token is looked up
// by its hash, so the database never holds a usable link and a lookup's timing
// says nothing about how close a guess came (the attacker cannot steer the
// hash's bytes); 256 bits are not guessable anyway.

export function newOneTimeToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: hashOneTimeToken(token) };
}

export function hashOneTimeToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The hash to look up, or null for something that cannot be one of our tokens (refused before any query). */
export function lookupHash(token: unknown): string | null {
  return typeof token === "string" && ONE_TIME_TOKEN_PATTERN.test(token) ? hashOneTimeToken(token) : null;
}
