import { apiHandler } from "@/lib/api/api-handler";
import { jsonObjectBody } from "@/lib/api/json-body";
import { jsonResponse } from "@/lib/api/responses";
import { listApps } from "@/lib/apps/list-apps";
import { createApp } from "@/lib/apps/create-app";
import { toAppDto } from "@/lib/apps/app-dto";
import type { CreateAppInput } from "@/lib/apps/schemas";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({}, async ({ actor }) => ({ apps: (await listApps(actor)).map(toAppDto) }));

export const POST = apiHandler({ body: jsonObjectBody }, async ({ actor, body }) => {
  const app = await createApp(actor, body as CreateAppInput);
  return jsonResponse({ app: toAppDto(app) }, 201);
});

export const { PUT, PATCH, DELETE } = otherMethodsNotAllowed(["GET", "POST"]);
