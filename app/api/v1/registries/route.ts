import { apiHandler } from "@/lib/api/api-handler";
import { jsonObjectBody } from "@/lib/api/json-body";
import { jsonResponse } from "@/lib/api/responses";
import { listRegistries } from "@/lib/registries/list-registries";
import { createRegistry } from "@/lib/registries/create-registry";
import type { CreateRegistryInput } from "@/lib/registries/schemas";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({}, async ({ actor }) => ({ registries: await listRegistries(actor) }));

export const POST = apiHandler({ body: jsonObjectBody }, async ({ actor, body }) => {
  const registry = await createRegistry(actor, body as CreateRegistryInput);
  return jsonResponse({ registry }, 201);
});

export const { PUT, PATCH, DELETE } = otherMethodsNotAllowed(["GET", "POST"]);
