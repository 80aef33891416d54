import { apiHandler } from "@/lib/api/api-handler";
import { jsonObjectBody } from "@/lib/api/json-body";
import { jsonResponse } from "@/lib/api/responses";
import { addAppRepository, listAppRepositories } from "@/lib/catalog/app-repositories";
import type { AddAppRepositoryInput } from "@/lib/catalog/schemas";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({}, async ({ actor, params }) => ({ repositories: await listAppRepositories(actor, params.id!) }));

export const POST = apiHandler({ body: jsonObjectBody }, async ({ actor, params, body }) => {
  const repository = await addAppRepository(actor, params.id!, body as AddAppRepositoryInput);
  return jsonResponse({ repository }, 201);
});

export const { PUT, PATCH, DELETE } = otherMethodsNotAllowed(["GET", "POST"]);
