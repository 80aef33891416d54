import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from "jose";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { decryptSecret, encryptSecret } from "@/lib/secrets/crypto";

// A team's current Ed25519 signing key, created on first use. Creation runs
// under a per-team advisory lock so two processes signing the first license
// at once agree on one key. Decrypted private keys are kept per process by
// kid (a key never changes once made; rotation makes a new kid).

export const SIGNING_ALG = "EdDSA";

export type SigningKeyPair = { kid: string; privateKey: CryptoKey; publicJwk: JWK };

const privateKeys = new Map<string, CryptoKey>();
const MAX_CACHED = 10_000;

/** The public half as published: only the fields a verifier needs. */
export function publicJwkOf(jwk: JWK, kid: string): JWK {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid, alg: SIGNING_ALG, use: "sig" };
}

/** Generates a key pair and stores it (private JWK sealed) as the team's current key. */
export async function insertSigningKey(db: PrismaClient | Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0], teamId: string) {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { crv: "Ed25519", extractable: true });
  const publicRaw = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicRaw);
  const sealed = encryptSecret(JSON.stringify(await exportJWK(privateKey)));
  return db.signingKey.create({
    data: {
      teamId,
      kid,
      publicJwk: publicJwkOf(publicRaw, kid) as object,
      privateKeyCiphertext: sealed.ciphertext,
      secretKeyVersion: sealed.keyVersion,
    },
  });
}

type KeyRow = { kid: string; publicJwk: unknown; privateKeyCiphertext: string };

async function toPair(row: KeyRow): Promise<SigningKeyPair> {
  let privateKey = privateKeys.get(row.kid);
  if (!privateKey) {
    const jwk = JSON.parse(decryptSecret(row.privateKeyCiphertext)) as JWK;
    privateKey = (await importJWK(jwk, SIGNING_ALG)) as CryptoKey;
    if (privateKeys.size >= MAX_CACHED) privateKeys.clear();
    privateKeys.set(row.kid, privateKey);
  }
  return { kid: row.kid, privateKey, publicJwk: row.publicJwk as JWK };
}

/** The team's current signing key, creating the first one when there is none. */
export async function currentSigningKey(db: PrismaClient, teamId: string): Promise<SigningKeyPair> {
  const select = { kid: true, publicJwk: true, privateKeyCiphertext: true } as const;
  const existing = await db.signingKey.findFirst({ where: { teamId, retiredAt: null }, orderBy: { createdAt: "desc" }, select });
  if (existing) return toPair(existing);
  const row = await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext(${`pullgate:signing-key:${teamId}`}))::text`;
    const again = await tx.signingKey.findFirst({ where: { teamId, retiredAt: null }, orderBy: { createdAt: "desc" }, select });
    return again ?? (await insertSigningKey(tx, teamId));
  });
  return toPair(row);
}
