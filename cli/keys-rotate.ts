import { getPrisma } from "@/lib/db/client";
import { reencryptRegistrySecrets } from "@/lib/registries/reencrypt-registry-secrets";
import { reencryptAccountSecrets } from "@/lib/secrets/reencrypt-account-secrets";
import { parseOptions } from "@/cli/usage";
import { withDatabase } from "@/cli/with-database";

/**
 * `pullgate keys rotate`: after setting the new PULLGATE_SECRET_KEY and moving
 * the old one to PULLGATE_SECRET_KEY_PREVIOUS, re-encrypts every stored
 * registry secret, two-factor secret and SSO client secret with the new key.
 * Afterwards the old key can be dropped.
 */
export async function keysRotate(args: string[]): Promise<number> {
  parseOptions(args, {});
  const result = await withDatabase(() => reencryptRegistrySecrets(getPrisma()));
  console.log(
    `Re-encrypted ${result.reencrypted} of ${result.total} registry secret${result.total === 1 ? "" : "s"} with key version ${result.keyVersion}.`,
  );
  const accounts = await withDatabase(() => reencryptAccountSecrets(getPrisma()));
  console.log(`Re-encrypted ${accounts.reencrypted} two-factor and single sign-on secret${accounts.reencrypted === 1 ? "" : "s"}.`);
  if (accounts.undecryptable.length > 0) {
    console.error(`Could not decrypt with any configured key: ${accounts.undecryptable.join(", ")}. Add their key to PULLGATE_SECRET_KEY_PREVIOUS and run again.`);
  }
  if (result.undecryptable.length > 0) {
    console.error(
      `${result.undecryptable.length} registry secret(s) could not be decrypted with any configured key ` +
        `(registries ${result.undecryptable.join(", ")}): add their key to PULLGATE_SECRET_KEY_PREVIOUS and run again.`,
    );
    return 1;
  }
  return accounts.undecryptable.length > 0 ? 1 : 0;
}
