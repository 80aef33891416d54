import { apiHandler } from "@/lib/api/api-handler";
import { verifyDomain } from "@/lib/domains/verify-domain";
import { toDomainDto } from "@/lib/domains/domain-dto";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

/** Checks DNS now; 200 with the domain whatever the outcome (status and failureReason say how it went). */
export const POST = apiHandler({}, async ({ actor, params }) => ({ domain: toDomainDto(await verifyDomain(actor, params.id!)) }));

export const { GET, PUT, PATCH, DELETE } = otherMethodsNotAllowed(["POST"]);
