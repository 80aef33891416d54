import { apiHandler } from "@/lib/api/api-handler";
import { setDefaultDomain } from "@/lib/domains/set-default-domain";
import { toDomainDto } from "@/lib/domains/domain-dto";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

/** Makes this verified domain the team's default host. */
export const POST = apiHandler({}, async ({ actor, params }) => ({ domain: toDomainDto(await setDefaultDomain(actor, params.id!, true)) }));

/** Clears the default: the proxy's own host comes first again. */
export const DELETE = apiHandler({}, async ({ actor, params }) => ({ domain: toDomainDto(await setDefaultDomain(actor, params.id!, false)) }));

export const { GET, PUT, PATCH } = otherMethodsNotAllowed(["POST", "DELETE"]);
