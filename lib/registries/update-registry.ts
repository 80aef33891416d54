import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { SecretRequiredError, ValidationError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { diffFields } from "@/lib/audit/diff-fields";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";
import { decryptSecret, encryptSecret, SecretDecryptionError } from "@/lib/secrets/crypto";
import { createRegistrySchema, updateRegistrySchema, type UpdateRegistryInput } from "@/lib/registries/schemas";
import { registryAuditFields, toRegistryDto, type RegistryDto, type RegistryRow } from "@/lib/registries/registry-dto";
import { findRegistryRow } from "@/lib/registries/find-registry-row";
import { asAliasConflict, assertConnects, assertSavable, authTypeFor, type CreateRegistryOptions } from "@/lib/registries/create-registry";

function storedSecret(ciphertext: string): string {
  try {
    return decryptSecret(ciphertext);
  } catch (err) {
    if (!(err instanceof SecretDecryptionError)) throw err;
    throw new ValidationError("Invalid request. password: the stored password cannot be decrypted; enter it again.", [
      { path: "password", message: "The stored password cannot be decrypted with the configured keys: enter it again." },
    ]);
  }
}

export const SECRET_REQUIRED_MESSAGE =
  "Enter the password again: a stored password is only sent to the host and username it was saved for.";

/**
 * The merged record a patch describes, validated with the provider's create
 * schema. A blank or absent password keeps the stored secret, but only for
 * the endpoint and username it was saved with: changing either (or turning on
 * plain HTTP) without giving the secret again is SecretRequiredError, so a
 * stored password can never be carried to another host.
 */
export function mergeRegistryPatch(existing: RegistryRow, input: UpdateRegistryInput) {
  const patch = parseOrThrow(updateRegistrySchema, input);
  if (patch.provider && patch.provider !== existing.provider) {
    throw new ValidationError("Invalid request. provider: the provider of a linked registry cannot change.", [
      { path: "provider", message: "The provider of a linked registry cannot change: link a new registry instead." },
    ]);
  }
  const keepSecret = patch.password === undefined || patch.password.trim() === "";
  const allowHttp = patch.allowHttp ?? (existing.provider === "other" ? existing.allowHttp : undefined);
  const fields = parseOrThrow(createRegistrySchema, {
    provider: existing.provider,
    endpoint: patch.endpoint ?? existing.endpoint,
    name: patch.name !== undefined ? patch.name : existing.name,
    username: patch.username ?? existing.username,
    password: keepSecret ? storedSecret(existing.secretCiphertext) : patch.password,
    appIds: patch.appIds !== undefined ? patch.appIds : existing.allApps ? null : existing.apps.map((app) => app.id),
    ...(allowHttp !== undefined ? { allowHttp } : {}),
  });
  const secretRebound =
    fields.endpoint !== existing.endpoint || fields.username !== existing.username || ((fields.allowHttp ?? false) && !existing.allowHttp);
  if (keepSecret && secretRebound && fields.password !== "") {
    throw new SecretRequiredError(`Invalid request. password: ${SECRET_REQUIRED_MESSAGE}`, [
      { path: "password", message: "Changing the registry host or username (or allowing plain HTTP) needs the password again." },
    ]);
  }
  const connectionChanged =
    !keepSecret ||
    fields.endpoint !== existing.endpoint ||
    fields.username !== existing.username ||
    (fields.allowHttp ?? false) !== existing.allowHttp;
  return { fields, keepSecret, connectionChanged, skipValidation: patch.skipValidation ?? false };
}

/**
 * Edits a registry. When the endpoint, username, password or plain-HTTP switch
 * change, the connection test runs first (unless skipValidation) and a failure
 * saves nothing.
 */
export async function updateRegistry(
  actor: Actor,
  id: string,
  input: UpdateRegistryInput,
  options: CreateRegistryOptions = {},
): Promise<RegistryDto> {
  assertCanWrite(actor);
  const existing = await findRegistryRow(prisma, actor.teamId, id);
  const { fields, keepSecret, connectionChanged, skipValidation } = mergeRegistryPatch(existing, input);
  const appIds = fields.appIds ?? null;
  await prisma.$transaction((tx) => assertSavable(tx, actor.teamId, fields, existing.id));

  const test = connectionChanged && !skipValidation ? await assertConnects(actor, fields, options.upstream, existing) : null;

  const sealed = keepSecret ? null : encryptSecret(fields.password);
  try {
    const row = await prisma.$transaction(async (tx) => {
      const before = await findRegistryRow(tx, actor.teamId, id);
      await assertSavable(tx, actor.teamId, fields, before.id);
      const updated = await tx.registryCredential.update({
        where: { id: before.id },
        data: {
          endpoint: fields.endpoint,
          name: fields.name ?? null,
          username: fields.username,
          authType: authTypeFor(fields),
          allowHttp: fields.allowHttp ?? false,
          allApps: appIds === null,
          apps: { set: (appIds ?? []).map((appId) => ({ id: appId })) },
          ...(sealed ? { secretCiphertext: sealed.ciphertext, secretKeyVersion: sealed.keyVersion } : {}),
          ...(test ? { lastTestedAt: new Date(), lastTestStatus: test.status, lastTestMessage: test.message } : {}),
          // Always touch the row: the proxy keys its upstream clients by updatedAt.
          updatedAt: new Date(),
        },
        include: { apps: { select: { id: true } } },
      });
      const diff = diffFields(registryAuditFields(before), registryAuditFields(updated), [
        "endpoint",
        "name",
        "username",
        "allowHttp",
        "appIds",
      ]);
      if (diff || sealed) {
        await recordAuditEvent(tx, {
          actor,
          action: "registry.update",
          targetType: "registry",
          targetId: updated.id,
          targetName: updated.name ?? updated.endpoint,
          before: diff?.before ?? {},
          // "replaced" names the field whose value is never shown.
          after: { ...(diff?.after ?? {}), ...(sealed ? { replaced: "password" } : {}) },
        });
      }
      return updated;
    });
    return toRegistryDto(row);
  } catch (err) {
    throw asAliasConflict(err, fields.name);
  }
}
