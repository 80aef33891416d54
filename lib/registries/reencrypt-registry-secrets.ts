import type { PrismaClient } from "@/lib/generated/prisma/client";
import {
  decryptSecret,
  encryptSecret,
  loadKeyring,
  needsReencryption,
  SecretDecryptionError,
  type SecretKey,
} from "@/lib/secrets/crypto";

export type ReencryptResult = {
  total: number;
  reencrypted: number;
  keyVersion: number;
  /** IDs of registries whose secret no configured key opens (left untouched). */
  undecryptable: string[];
};

/**
 * Key rotation, step 2 (`pullgate keys rotate`): with the new key in
 * PULLGATE_SECRET_KEY and the old one in PULLGATE_SECRET_KEY_PREVIOUS,
 * re-seals every registry secret not yet under the current key. Each row is
 * updated only if its ciphertext is still the one read, so a concurrent edit
 * is never overwritten; running it again is harmless. A secret no configured
 * key opens is reported, not fatal, so one forgotten key does not block the rest.
 */
export async function reencryptRegistrySecrets(db: PrismaClient, keyring: SecretKey[] = loadKeyring()): Promise<ReencryptResult> {
  const current = keyring[0]!;
  let total = 0;
  let reencrypted = 0;
  const undecryptable: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const rows = await db.registryCredential.findMany({
      select: { id: true, secretCiphertext: true },
      orderBy: { id: "asc" },
      take: 200,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    if (rows.length === 0) break;
    cursor = rows[rows.length - 1]!.id;
    total += rows.length;
    for (const row of rows) {
      if (!needsReencryption(row.secretCiphertext, keyring)) continue;
      let plaintext: string;
      try {
        plaintext = decryptSecret(row.secretCiphertext, keyring);
      } catch (err) {
        if (!(err instanceof SecretDecryptionError)) throw err;
        undecryptable.push(row.id);
        continue;
      }
      const sealed = encryptSecret(plaintext, keyring);
      const { count } = await db.registryCredential.updateMany({
        where: { id: row.id, secretCiphertext: row.secretCiphertext },
        data: { secretCiphertext: sealed.ciphertext, secretKeyVersion: sealed.keyVersion },
      });
      reencrypted += count;
    }
  }
  return { total, reencrypted, keyVersion: current.version, undecryptable };
}
