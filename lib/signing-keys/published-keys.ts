import type { JWK } from "jose";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { currentSigningKey } from "@/lib/signing-keys/team-signing-key";

export type JwkSet = { keys: JWK[] };

export type SigningKeyDto = {
  kid: string;
  createdAt: string;
  /** null: the key signs new license files. */
  retiredAt: string | null;
  /** Retired keys stay published until then (null while current, or forever when a license signed with it never expires). */
  publishedUntil: string | null;
  publicJwk: JWK;
};

/**
 * The team's public keys a verifier may meet: the current one (created now if
 * the team has none, so the set is never empty) and every retired key whose
 * licenses may still be valid. Scoped by team: the id comes from the caller.
 */
export async function listPublishedKeys(db: PrismaClient, teamId: string, now = new Date()): Promise<SigningKeyDto[]> {
  await currentSigningKey(db, teamId);
  const rows = await db.signingKey.findMany({
    where: { teamId, OR: [{ retiredAt: null }, { publishedUntil: null }, { publishedUntil: { gt: now } }] },
    orderBy: { createdAt: "desc" },
    select: { kid: true, createdAt: true, retiredAt: true, publishedUntil: true, publicJwk: true },
  });
  return rows.map((r) => ({
    kid: r.kid,
    createdAt: r.createdAt.toISOString(),
    retiredAt: r.retiredAt?.toISOString() ?? null,
    publishedUntil: r.publishedUntil?.toISOString() ?? null,
    publicJwk: r.publicJwk as JWK,
  }));
}

export async function publishedJwks(db: PrismaClient, teamId: string, now = new Date()): Promise<JwkSet> {
  return { keys: (await listPublishedKeys(db, teamId, now)).map((k) => k.publicJwk) };
}

/** A team id as it may appear in /.well-known/pullgate/<team id>/jwks.json (cuid): anything else is not looked up. */
export const TEAM_ID_SHAPE = /^[a-z0-9]{20,40}$/;

/** The JWKS of a team named in a public URL, or null when there is no such team (no key is created for unknown ids). */
export async function publicJwksOfTeam(db: PrismaClient, teamId: string, now = new Date()): Promise<JwkSet | null> {
  if (!TEAM_ID_SHAPE.test(teamId)) return null;
  const team = await db.team.findUnique({ where: { id: teamId }, select: { id: true } });
  if (!team) return null;
  return publishedJwks(db, team.id, now);
}
