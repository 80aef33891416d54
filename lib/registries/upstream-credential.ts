import type { RegistryCredential } from "@/lib/generated/prisma/client";
import { decryptSecret } from "@/lib/secrets/crypto";
import type { UpstreamCredential } from "@/lib/upstream/client";

/** The decrypted credential of a stored registry, for the upstream client only. */
export function toUpstreamCredential(
  row: Pick<RegistryCredential, "provider" | "endpoint" | "username" | "secretCiphertext" | "allowHttp">,
): UpstreamCredential {
  return {
    provider: row.provider,
    endpoint: row.endpoint,
    username: row.username,
    secret: decryptSecret(row.secretCiphertext),
    allowHttp: row.allowHttp,
  };
}
