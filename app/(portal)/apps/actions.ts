"use server";

import { revalidatePath } from "next/cache";
import { requireSessionActor } from "@/lib/auth/session";
import { requireId, runAction, type ActionResult } from "@/lib/actions/action-result";
import { createApp } from "@/lib/apps/create-app";
import { renameApp } from "@/lib/apps/rename-app";
import { deleteApp } from "@/lib/apps/delete-app";
import { toAppDto, type AppDto } from "@/lib/apps/app-dto";
import type { CreateAppInput, EntitlementSchemaInput, RenameAppInput } from "@/lib/apps/schemas";
import { setEntitlementSchema, type EntitlementSchemaView } from "@/lib/apps/entitlement-schema-admin";
import { addAppRepository, removeAppRepository, type AppRepositoryDto } from "@/lib/catalog/app-repositories";
import type { AddAppRepositoryInput } from "@/lib/catalog/schemas";

// Thin wrappers: lib/apps validates (the same zod schemas as the REST API),
// checks the role and scopes by team; these only add the session actor.

export async function createAppAction(input: CreateAppInput): Promise<ActionResult<AppDto>> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    const app = await createApp(actor, input);
    revalidatePath("/apps");
    return toAppDto(app);
  });
}

export async function renameAppAction(appId: string, input: RenameAppInput): Promise<ActionResult<AppDto>> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    const app = await renameApp(actor, requireId(appId, "App"), input);
    revalidatePath("/apps");
    revalidatePath(`/apps/${app.id}`);
    return toAppDto(app);
  });
}

export async function deleteAppAction(appId: string): Promise<ActionResult<{ id: string }>> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    const app = await deleteApp(actor, requireId(appId, "App"));
    revalidatePath("/apps");
    return { id: app.id };
  });
}

export async function addAppRepositoryAction(appId: string, input: AddAppRepositoryInput): Promise<ActionResult<AppRepositoryDto>> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    const row = await addAppRepository(actor, requireId(appId, "App"), input);
    revalidatePath(`/apps/${row.appId}`);
    return row;
  });
}

export async function removeAppRepositoryAction(appId: string, repositoryId: string): Promise<ActionResult<{ id: string }>> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    const row = await removeAppRepository(actor, requireId(appId, "App"), requireId(repositoryId, "Repository"));
    revalidatePath(`/apps/${row.appId}`);
    return { id: row.id };
  });
}

export async function setEntitlementSchemaAction(appId: string, input: EntitlementSchemaInput): Promise<ActionResult<EntitlementSchemaView>> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    const view = await setEntitlementSchema(actor, requireId(appId, "App"), input);
    revalidatePath(`/apps/${appId}`);
    return view;
  });
}
