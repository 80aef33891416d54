import type { RegistryCredential } from "@/lib/generated/prisma/client";
import type { RegistryFields } from "@/lib/registries/schemas";
import { decryptSecret } from "@/lib/secrets/crypto";
import type { UpstreamCredential } from "@/lib/upstream/client";

/** The credential as typed into the form or API call, before (or instead of) storing it. */
export function draftCredential(
  fields: Pick<RegistryFields, "provider" | "endpoint" | "username" | "password" | "allowHttp">,
): UpstreamCredential {
  return {
    provider: fields.provider,
    endpoint: fields.endpoint,
    username: fields.username,
    secret: fields.password,
    allowHttp: fields.allowHttp ?? false,
  };
}

/** The decrypted credential of a stored registry, for the upstream client only. */
export function toUpstreamCredential(
  row: Pick<RegistryCredential, "provider" | "endpoint" | "username" | "secretCiphertext" | "allowHttp">,
): UpstreamCredential {
  const { provider, endpoint, username, allowHttp } = row;
  return draftCredential({ provider, endpoint, username, allowHttp, password: decryptSecret(row.secretCiphertext) });
}
