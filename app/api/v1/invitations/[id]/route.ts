import { apiHandler } from "@/lib/api/api-handler";
import { noContent } from "@/lib/api/responses";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";
import { revokeInvitation } from "@/lib/invitations/revoke-invitation";

export const DELETE = apiHandler({}, async ({ actor, params }) => {
  await revokeInvitation(actor, params.id!);
  return noContent();
});

export const { GET, POST, PUT, PATCH } = otherMethodsNotAllowed(["DELETE"]);
