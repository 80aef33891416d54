"use server";

import { revalidatePath } from "next/cache";
import { requireSessionActor } from "@/lib/auth/session";
import { requireId, runAction, type ActionResult } from "@/lib/actions/action-result";
import { createRegistry } from "@/lib/registries/create-registry";
import { updateRegistry } from "@/lib/registries/update-registry";
import { deleteRegistry } from "@/lib/registries/delete-registry";
import { testSavedRegistry } from "@/lib/registries/test-saved-registry";
import { testRegistryDraft } from "@/lib/registries/test-registry-draft";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";
import { testRegistrySchema, type CreateRegistryInput, type UpdateRegistryInput } from "@/lib/registries/schemas";
import type { RegistryDto } from "@/lib/registries/registry-dto";
import type { ConnectionTestResult } from "@/lib/registries/test-registry-connection";

// Thin wrappers: lib/registries validates with the same zod schemas as the
// REST API, refuses members (403) and scopes every query by the session's
// team. Only DTOs and test sentences go back to the browser, never a secret.

const LIST = "/settings/registries";

export async function createRegistryAction(input: CreateRegistryInput): Promise<ActionResult<RegistryDto>> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    const registry = await createRegistry(actor, input);
    revalidatePath(LIST);
    return registry;
  });
}

export async function updateRegistryAction(registryId: string, input: UpdateRegistryInput): Promise<ActionResult<RegistryDto>> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    const registry = await updateRegistry(actor, requireId(registryId, "Registry"), input);
    revalidatePath(LIST);
    return registry;
  });
}

export async function deleteRegistryAction(registryId: string): Promise<ActionResult<RegistryDto>> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    const registry = await deleteRegistry(actor, requireId(registryId, "Registry"));
    revalidatePath(LIST);
    return registry;
  });
}

/** "Test" on a saved registry: records the result shown in the list. */
export async function testSavedRegistryAction(registryId: string, image?: string): Promise<ActionResult<ConnectionTestResult>> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    const result = await testSavedRegistry(actor, requireId(registryId, "Registry"), { image });
    revalidatePath(LIST);
    return result;
  });
}

/** "Test connection" on the form, before saving (editing: blank password = the stored one). */
export async function testRegistryDraftAction(
  input: CreateRegistryInput | (UpdateRegistryInput & { existingId: string }),
  image?: string,
): Promise<ActionResult<ConnectionTestResult>> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    const parsed = parseOrThrow(testRegistrySchema, { image });
    return testRegistryDraft(actor, input, { image: parsed.image });
  });
}
