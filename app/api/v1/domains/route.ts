import { apiHandler } from "@/lib/api/api-handler";
import { jsonObjectBody } from "@/lib/api/json-body";
import { jsonResponse } from "@/lib/api/responses";
import { listDomains } from "@/lib/domains/list-domains";
import { addDomain } from "@/lib/domains/add-domain";
import { toDomainDto } from "@/lib/domains/domain-dto";
import type { CreateDomainInput } from "@/lib/domains/schemas";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({}, async ({ actor }) => ({ domains: (await listDomains(actor)).map(toDomainDto) }));

export const POST = apiHandler({ body: jsonObjectBody }, async ({ actor, body }) => {
  const domain = await addDomain(actor, body as CreateDomainInput);
  return jsonResponse({ domain: toDomainDto(domain) }, 201);
});

export const { PUT, PATCH, DELETE } = otherMethodsNotAllowed(["GET", "POST"]);
