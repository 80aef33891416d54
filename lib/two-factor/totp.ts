import { Secret, TOTP } from "otpauth";

// TOTP (RFC 6238) with the otpauth library: SHA-1, 6 digits, 30 s, the
// parameters every authenticator app supports. A code is accepted one step
// either side of now (clock drift), and never twice: the step last used is
// kept, and only later steps count.

export const TOTP_ISSUER = "Pullgate";
const PERIOD = 30;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function totpFor(secretBase32: string, accountEmail: string): TOTP {
  return new TOTP({ issuer: TOTP_ISSUER, label: accountEmail, algorithm: "SHA1", digits: 6, period: PERIOD, secret: Secret.fromBase32(secretBase32) });
}

/** The time step the code belongs to, or null when it is wrong or its step was already used. */
export function verifyTotpCode(secretBase32: string, code: string, lastUsedStep: number | null, now = Date.now()): number | null {
  const delta = totpFor(secretBase32, "x").validate({ token: code, timestamp: now, window: 1 });
  if (delta === null) return null;
  const step = Math.floor(now / 1000 / PERIOD) + delta;
  if (lastUsedStep !== null && step <= lastUsedStep) return null;
  return step;
}
