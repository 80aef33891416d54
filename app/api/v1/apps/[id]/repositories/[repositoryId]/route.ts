import { apiHandler } from "@/lib/api/api-handler";
import { noContent } from "@/lib/api/responses";
import { removeAppRepository } from "@/lib/catalog/app-repositories";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const DELETE = apiHandler({}, async ({ actor, params }) => {
  await removeAppRepository(actor, params.id!, params.repositoryId!);
  return noContent();
});

export const { GET, POST, PUT, PATCH } = otherMethodsNotAllowed(["DELETE"]);
