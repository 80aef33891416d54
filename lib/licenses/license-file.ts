import { SignJWT } from "jose";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { currentSigningKey, SIGNING_ALG } from "@/lib/signing-keys/team-signing-key";

// A customer's license as a document its software can verify offline: a
// compact JWS (EdDSA, Ed25519) signed with the team's current key, whose
// public half is published at /.well-known/pullgate/<team id>/jwks.json.
// `exp` is the license's expiry (absent when it never expires), so a
// standard JWT verifier refuses an expired file by itself.

export const LICENSE_FILE_TYPE = "pullgate-license+jwt";
export const LICENSE_FILE_ISSUER = "pullgate";

export type LicenseFileClaims = {
  iss: typeof LICENSE_FILE_ISSUER;
  /** The team whose JWKS verifies the file. */
  teamId: string;
  licenseId: string;
  customer: { id: string; name: string; customId: string | null; type: string };
  appSlug: string;
  /** ISO 8601, null: never expires. */
  expiresAt: string | null;
  registryAccess: boolean;
  imagePatterns: string[];
  entitlements: Record<string, unknown>;
  /** true when the vendor archived the customer (the license is revoked). */
  archived: boolean;
  iat: number;
  exp?: number;
};

export type SignedLicenseFile = { token: string; kid: string; claims: LicenseFileClaims };

const LICENSE_FILE_SELECT = {
  licenseId: true,
  teamId: true,
  expiresAt: true,
  registryAccess: true,
  imagePatterns: true,
  entitlements: true,
  customer: { select: { id: true, name: true, customId: true, type: true, archivedAt: true, app: { select: { slug: true } } } },
} as const;

export type LicenseFileSource = { licenseId: string; teamId: string };

/**
 * Signs the current state of a license. `where` names it by license ID and
 * team: callers pass the team they are scoped to, so no caller can sign
 * another team's license. Null when there is no such license.
 */
export async function signLicenseFile(db: PrismaClient, where: LicenseFileSource, now = new Date()): Promise<SignedLicenseFile | null> {
  const license = await db.license.findFirst({ where: { licenseId: where.licenseId, teamId: where.teamId }, select: LICENSE_FILE_SELECT });
  if (!license) return null;
  const key = await currentSigningKey(db, license.teamId);
  const iat = Math.floor(now.getTime() / 1000);
  const claims: LicenseFileClaims = {
    iss: LICENSE_FILE_ISSUER,
    teamId: license.teamId,
    licenseId: license.licenseId,
    customer: { id: license.customer.id, name: license.customer.name, customId: license.customer.customId, type: license.customer.type },
    appSlug: license.customer.app.slug,
    expiresAt: license.expiresAt?.toISOString() ?? null,
    registryAccess: license.registryAccess,
    imagePatterns: license.imagePatterns,
    entitlements: (license.entitlements ?? {}) as Record<string, unknown>,
    archived: license.customer.archivedAt !== null,
    iat,
    ...(license.expiresAt ? { exp: Math.floor(license.expiresAt.getTime() / 1000) } : {}),
  };
  const token = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: SIGNING_ALG, kid: key.kid, typ: LICENSE_FILE_TYPE })
    .sign(key.privateKey);
  return { token, kid: key.kid, claims };
}

/** The download's file name: license-<app>-<customer id>.jwt. */
export function licenseFileName(claims: Pick<LicenseFileClaims, "appSlug" | "customer">): string {
  return `license-${claims.appSlug}-${claims.customer.id}.jwt`;
}
