import { apiHandler } from "@/lib/api/api-handler";
import { jsonObjectBody } from "@/lib/api/json-body";
import { noContent } from "@/lib/api/responses";
import { getApp } from "@/lib/apps/get-app";
import { renameApp } from "@/lib/apps/rename-app";
import { deleteApp } from "@/lib/apps/delete-app";
import { toAppDto } from "@/lib/apps/app-dto";
import type { RenameAppInput } from "@/lib/apps/schemas";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({}, async ({ actor, params }) => ({ app: toAppDto(await getApp(actor, params.id!)) }));

export const PATCH = apiHandler({ body: jsonObjectBody }, async ({ actor, params, body }) => ({
  app: toAppDto(await renameApp(actor, params.id!, body as RenameAppInput)),
}));

export const DELETE = apiHandler({}, async ({ actor, params }) => {
  await deleteApp(actor, params.id!);
  return noContent();
});

export const { POST, PUT } = otherMethodsNotAllowed(["GET", "PATCH", "DELETE"]);
