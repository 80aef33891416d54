import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";
import { createRegistrySchema, type CreateRegistryInput, type UpdateRegistryInput } from "@/lib/registries/schemas";
import { findRegistryRow } from "@/lib/registries/find-registry-row";
import { mergeRegistryPatch } from "@/lib/registries/update-registry";
import { testRegistryConnection, type ConnectionTestResult } from "@/lib/registries/test-registry-connection";
import { draftCredential } from "@/lib/registries/upstream-credential";
import type { UpstreamClientOptions } from "@/lib/upstream/client";
import { recordConnectionTest } from "@/lib/registries/record-connection-test";

/**
 * "Test connection" on the form, before saving: with the values typed, or for
 * the edit form (existingId) with the stored secret when the password is
 * blank, which mergeRegistryPatch allows only for the stored endpoint and
 * username (else 400 secret_required). Audited like every connection test.
 */
export async function testRegistryDraft(
  actor: Actor,
  input: CreateRegistryInput | (UpdateRegistryInput & { existingId: string }),
  options: { image?: string; upstream?: UpstreamClientOptions } = {},
): Promise<ConnectionTestResult> {
  assertCanWrite(actor);
  // A connection test needs no alias (only app use does: see lib/registries/path-segment.ts),
  // so the draft is validated as a registry no app uses yet.
  let fields;
  let registryId: string | null = null;
  if ("existingId" in input && input.existingId) {
    const { existingId, ...patch } = input;
    const existing = await findRegistryRow(prisma, actor.teamId, existingId);
    fields = mergeRegistryPatch(existing, { ...patch, appIds: [] }).fields;
    registryId = existing.id;
  } else {
    fields = parseOrThrow(createRegistrySchema, { ...input, appIds: [] });
  }
  const result = await testRegistryConnection(draftCredential(fields), { ...options.upstream, image: options.image });
  await recordConnectionTest(actor, { id: registryId, name: fields.name ?? null, provider: fields.provider, endpoint: fields.endpoint }, result, options.image);
  return result;
}
