import { apiHandler } from "@/lib/api/api-handler";
import { jsonObjectBody } from "@/lib/api/json-body";
import { jsonResponse } from "@/lib/api/responses";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";
import { createInvitation } from "@/lib/invitations/create-invitation";
import { listInvitations } from "@/lib/invitations/list-invitations";
import type { CreateInvitationInput } from "@/lib/invitations/schemas";

export const GET = apiHandler({}, async ({ actor }) => ({ invitations: await listInvitations(actor) }));

export const POST = apiHandler({ body: jsonObjectBody }, async ({ actor, body }) => {
  const { invitation, emailSent } = await createInvitation(actor, body as CreateInvitationInput);
  return jsonResponse({ invitation, emailSent }, 201);
});

export const { PUT, PATCH, DELETE } = otherMethodsNotAllowed(["GET", "POST"]);
