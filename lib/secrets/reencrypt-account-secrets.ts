import type { PrismaClient } from "@/lib/generated/prisma/client";
import { decryptSecret, encryptSecret, loadKeyring, needsReencryption, SecretDecryptionError, type SecretKey } from "@/lib/secrets/crypto";

export type AccountSecretsResult = { reencrypted: number; undecryptable: string[] };

/**
 * Key rotation for the secrets of issue 20: TOTP secrets (confirmed and
 * pending) and teams' SSO client secrets, re-sealed with the current key the
 * way registry secrets are (lib/registries/reencrypt-registry-secrets.ts):
 * each row only if its ciphertext is still the one read.
 */
export async function reencryptAccountSecrets(db: PrismaClient, keyring: SecretKey[] = loadKeyring()): Promise<AccountSecretsResult> {
  const result: AccountSecretsResult = { reencrypted: 0, undecryptable: [] };
  const reseal = (ciphertext: string, what: string): string | null => {
    if (!needsReencryption(ciphertext, keyring)) return null;
    try {
      return encryptSecret(decryptSecret(ciphertext, keyring), keyring).ciphertext;
    } catch (err) {
      if (!(err instanceof SecretDecryptionError)) throw err;
      result.undecryptable.push(what);
      return null;
    }
  };
  const users = await db.user.findMany({
    where: { OR: [{ totpSecretCiphertext: { not: null } }, { totpPendingCiphertext: { not: null } }] },
    select: { id: true, totpSecretCiphertext: true, totpPendingCiphertext: true },
  });
  for (const u of users) {
    for (const field of ["totpSecretCiphertext", "totpPendingCiphertext"] as const) {
      const old = u[field];
      const sealed = old ? reseal(old, `user ${u.id} (${field})`) : null;
      if (!old || !sealed) continue;
      const { count } = await db.user.updateMany({ where: { id: u.id, [field]: old }, data: { [field]: sealed } });
      result.reencrypted += count;
    }
  }
  for (const sso of await db.teamSso.findMany({ select: { id: true, teamId: true, clientSecretCiphertext: true } })) {
    const sealed = reseal(sso.clientSecretCiphertext, `team ${sso.teamId} (SSO client secret)`);
    if (!sealed) continue;
    const { count } = await db.teamSso.updateMany({ where: { id: sso.id, clientSecretCiphertext: sso.clientSecretCiphertext }, data: { clientSecretCiphertext: sealed } });
    result.reencrypted += count;
  }
  return result;
}
