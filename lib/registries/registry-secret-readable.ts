import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { findRegistryRow } from "@/lib/registries/find-registry-row";
import { decryptSecret, SecretDecryptionError } from "@/lib/secrets/crypto";

/**
 * Whether the registry's stored secret decrypts with the keys this server has.
 * When it does not (PULLGATE_SECRET_KEY changed without the old key in
 * PULLGATE_SECRET_KEY_PREVIOUS), the proxy answers 502 for pulls that need
 * this registry, and its page says so. The secret itself never leaves here.
 */
export async function isRegistrySecretReadable(actor: Pick<Actor, "teamId">, id: string): Promise<boolean> {
  const row = await findRegistryRow(prisma, actor.teamId, id);
  try {
    decryptSecret(row.secretCiphertext);
    return true;
  } catch (err) {
    if (err instanceof SecretDecryptionError) return false;
    throw err;
  }
}
