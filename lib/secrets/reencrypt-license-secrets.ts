import type { PrismaClient } from "@/lib/generated/prisma/client";
import { decryptSecret, encryptSecret, loadKeyring, needsReencryption, SecretDecryptionError, type SecretKey } from "@/lib/secrets/crypto";

// `pullgate keys rotate` for the other sealed secrets: the teams' license
// signing keys and webhook secrets, re-sealed with the current key like
// registry secrets (each row only if unchanged since read). The keys
// themselves do not change: license files and receivers keep working.

export type ReencryptCounts = { total: number; reencrypted: number; undecryptable: string[] };

type Sealed = { id: string; sealed: string };

async function reseal(
  read: (cursor: string | undefined) => Promise<Sealed[]>,
  write: (row: Sealed, sealed: { ciphertext: string; keyVersion: number }) => Promise<number>,
  keyring: SecretKey[],
): Promise<ReencryptCounts> {
  const counts: ReencryptCounts = { total: 0, reencrypted: 0, undecryptable: [] };
  let cursor: string | undefined;
  for (;;) {
    const rows = await read(cursor);
    if (rows.length === 0) return counts;
    cursor = rows[rows.length - 1]!.id;
    counts.total += rows.length;
    for (const row of rows) {
      if (!needsReencryption(row.sealed, keyring)) continue;
      let plaintext: string;
      try {
        plaintext = decryptSecret(row.sealed, keyring);
      } catch (err) {
        if (!(err instanceof SecretDecryptionError)) throw err;
        counts.undecryptable.push(row.id);
        continue;
      }
      counts.reencrypted += await write(row, encryptSecret(plaintext, keyring));
    }
  }
}

const page = (cursor: string | undefined) => ({ orderBy: { id: "asc" as const }, take: 200, ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}) });

export async function reencryptLicenseSecrets(db: PrismaClient, keyring: SecretKey[] = loadKeyring()): Promise<{ signingKeys: ReencryptCounts; webhooks: ReencryptCounts }> {
  const signingKeys = await reseal(
    async (cursor) =>
      (await db.signingKey.findMany({ select: { id: true, privateKeyCiphertext: true }, ...page(cursor) })).map((r) => ({ id: r.id, sealed: r.privateKeyCiphertext })),
    async (row, sealed) =>
      (
        await db.signingKey.updateMany({
          where: { id: row.id, privateKeyCiphertext: row.sealed },
          data: { privateKeyCiphertext: sealed.ciphertext, secretKeyVersion: sealed.keyVersion },
        })
      ).count,
    keyring,
  );
  const webhooks = await reseal(
    async (cursor) =>
      (await db.webhookEndpoint.findMany({ select: { id: true, secretCiphertext: true }, ...page(cursor) })).map((r) => ({ id: r.id, sealed: r.secretCiphertext })),
    async (row, sealed) =>
      (
        await db.webhookEndpoint.updateMany({
          where: { id: row.id, secretCiphertext: row.sealed },
          data: { secretCiphertext: sealed.ciphertext, secretKeyVersion: sealed.keyVersion },
        })
      ).count,
    keyring,
  );
  return { signingKeys, webhooks };
}
