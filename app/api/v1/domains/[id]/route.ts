import { apiHandler } from "@/lib/api/api-handler";
import { noContent } from "@/lib/api/responses";
import { getDomain } from "@/lib/domains/get-domain";
import { removeDomain } from "@/lib/domains/remove-domain";
import { toDomainDto } from "@/lib/domains/domain-dto";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({}, async ({ actor, params }) => ({ domain: toDomainDto(await getDomain(actor, params.id!)) }));

export const DELETE = apiHandler({}, async ({ actor, params }) => {
  await removeDomain(actor, params.id!);
  return noContent();
});

export const { POST, PUT, PATCH } = otherMethodsNotAllowed(["GET", "DELETE"]);
