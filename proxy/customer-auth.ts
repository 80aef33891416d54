import type { IncomingMessage } from "node:http";
import type { AuthorizationData, LicenseRecord } from "./authorization-data";
import { licenseForToken, verifyCustomerToken, type TokenClaims } from "./customer-token";

// Who is pulling: the license ID arrives as the Basic password (any username:
// an email, LICENSE_ID, anything) or inside a bearer token we issued.

export type Credentials =
  | { kind: "basic"; username: string; password: string }
  | { kind: "bearer"; token: string };

export function readCredentials(req: IncomingMessage): Credentials | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const space = header.indexOf(" ");
  if (space < 0) return null;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === "basic") {
    let decoded: string;
    try {
      decoded = Buffer.from(value, "base64").toString("utf8");
    } catch {
      return null;
    }
    const colon = decoded.indexOf(":");
    if (colon < 0) return null;
    return { kind: "basic", username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (scheme === "bearer" && value) return { kind: "bearer", token: value };
  return null;
}

const LICENSE_ID_SHAPE = /^[A-Za-z0-9]{27}$/;

/**
 * The license named by a license ID, or null. The lookup is a unique-index
 * probe (cached per process); comparing the found row's ID with the candidate
 * afterwards could never fail, so it is not done. Guessing is bounded by the
 * per-IP failure limit, against 27 random base62 characters (~160 bits).
 */
export async function licenseForId(data: AuthorizationData, candidate: string): Promise<LicenseRecord | null> {
  const trimmed = candidate.trim();
  if (!LICENSE_ID_SHAPE.test(trimmed)) return null;
  return data.license(trimmed);
}

export type Authenticated = { license: LicenseRecord; token: TokenClaims | null };

/** Resolves request credentials to a license; null when absent or invalid. */
export async function authenticate(data: AuthorizationData, creds: Credentials, service: string): Promise<Authenticated | null> {
  if (creds.kind === "basic") {
    const license = await licenseForId(data, creds.password);
    return license ? { license, token: null } : null;
  }
  const claims = await verifyCustomerToken(creds.token, service);
  if (!claims) return null;
  const license = await licenseForToken(data, claims);
  return license ? { license, token: claims } : null;
}

