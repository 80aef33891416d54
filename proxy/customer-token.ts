import { SignJWT, jwtVerify, errors as joseErrors } from "jose";
import { deriveKey } from "@/lib/secrets/master-key";

// Short-lived bearer tokens the proxy issues at /v2/token. They name the
// license and the granted pull scopes; authorization is still re-checked on
// every request, so a token never outlives a revocation.

export const TOKEN_TTL_SECONDS = 300;
const ISSUER = "pullgate-proxy";

export type GrantedAccess = { type: "repository"; name: string; actions: string[] };
export type TokenClaims = { licenseId: string; access: GrantedAccess[] };

let signingKey: Uint8Array | null = null;
function key(): Uint8Array {
  signingKey ??= new Uint8Array(deriveKey("proxy-jwt"));
  return signingKey;
}

export async function issueCustomerToken(claims: TokenClaims, service: string, now = new Date()) {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const token = await new SignJWT({ lid: claims.licenseId, access: claims.access })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(ISSUER)
    .setAudience(service)
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt - 5)
    .setExpirationTime(issuedAt + TOKEN_TTL_SECONDS)
    .sign(key());
  return { token, access_token: token, expires_in: TOKEN_TTL_SECONDS, issued_at: now.toISOString() };
}

/** Returns the claims of a valid, unexpired token issued for `service`, else null. */
export async function verifyCustomerToken(token: string, service: string): Promise<TokenClaims | null> {
  try {
    const { payload } = await jwtVerify(token, key(), { issuer: ISSUER, audience: service, algorithms: ["HS256"] });
    if (typeof payload.lid !== "string" || !Array.isArray(payload.access)) return null;
    return { licenseId: payload.lid, access: payload.access as GrantedAccess[] };
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) return null;
    throw err;
  }
}

/**
 * `repository:<name>:pull,push` → {name, actions}; other resource types are
 * ignored. The name may itself hold a colon (a host:port segment), so the
 * actions are what follows the last one.
 */
export function parseScope(scope: string): { name: string; actions: string[] } | null {
  if (!scope.startsWith("repository:")) return null;
  const body = scope.slice("repository:".length);
  const last = body.lastIndexOf(":");
  if (last <= 0) return null;
  const actions = body.slice(last + 1).split(",").filter(Boolean);
  if (actions.length === 0) return null;
  return { name: body.slice(0, last), actions };
}

export function tokenAllows(claims: TokenClaims, repository: string): boolean {
  return claims.access.some((a) => a.type === "repository" && a.name === repository && a.actions.includes("pull"));
}
