import { createHmac } from "node:crypto";
import { SignJWT, jwtVerify, errors as joseErrors } from "jose";
import { deriveKey } from "@/lib/secrets/master-key";
import type { AuthorizationData, LicenseRecord } from "./authorization-data";

// Short-lived bearer tokens the proxy issues at /v2/token. They name the
// license and the granted pull scopes; authorization is still re-checked on
// every request, so a token never outlives a revocation.
//
// A JWT is only signed, not encrypted: anyone holding one can read it. So it
// never carries the license ID (the customer's registry password), only an
// opaque reference: `sub` is the License row's internal id, resolved server
// side, and `lbd` binds the token to the license ID it was issued for (a
// keyed hash, so a new license ID for the row ends tokens issued before).

export const TOKEN_TTL_SECONDS = 300;
const ISSUER = "pullgate-proxy";

export type GrantedAccess = { type: "repository"; name: string; actions: string[] };
export type TokenClaims = { licenseRef: string; licenseBinding: string; access: GrantedAccess[] };

let signingKey: Uint8Array | null = null;
function key(): Uint8Array {
  signingKey ??= new Uint8Array(deriveKey("proxy-jwt"));
  return signingKey;
}

let bindingKey: Buffer | null = null;
function licenseBinding(licenseId: string): string {
  bindingKey ??= deriveKey("proxy-token-license-binding");
  return createHmac("sha256", bindingKey).update(licenseId).digest("base64url").slice(0, 22);
}

export async function issueCustomerToken(
  grant: { license: Pick<LicenseRecord, "id" | "licenseId">; access: GrantedAccess[] },
  service: string,
  now = new Date(),
) {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const token = await new SignJWT({ lbd: licenseBinding(grant.license.licenseId), access: grant.access })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(grant.license.id)
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
    if (typeof payload.sub !== "string" || typeof payload.lbd !== "string" || !Array.isArray(payload.access)) return null;
    return { licenseRef: payload.sub, licenseBinding: payload.lbd, access: payload.access as GrantedAccess[] };
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) return null;
    throw err;
  }
}

/** The license a verified token was issued for, or null (gone, or its license ID changed since). */
export async function licenseForToken(data: AuthorizationData, claims: TokenClaims): Promise<LicenseRecord | null> {
  const license = await data.licenseByRef(claims.licenseRef);
  return license && licenseBinding(license.licenseId) === claims.licenseBinding ? license : null;
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
