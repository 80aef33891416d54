import { apiHandler } from "@/lib/api/api-handler";
import { jsonObjectBody } from "@/lib/api/json-body";
import { noContent } from "@/lib/api/responses";
import { getRegistry } from "@/lib/registries/get-registry";
import { updateRegistry } from "@/lib/registries/update-registry";
import { deleteRegistry } from "@/lib/registries/delete-registry";
import type { UpdateRegistryInput } from "@/lib/registries/schemas";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({}, async ({ actor, params }) => ({ registry: await getRegistry(actor, params.id!) }));

export const PATCH = apiHandler({ body: jsonObjectBody }, async ({ actor, params, body }) => ({
  registry: await updateRegistry(actor, params.id!, body as UpdateRegistryInput),
}));

export const DELETE = apiHandler({}, async ({ actor, params }) => {
  await deleteRegistry(actor, params.id!);
  return noContent();
});

export const { POST, PUT } = otherMethodsNotAllowed(["GET", "PATCH", "DELETE"]);
