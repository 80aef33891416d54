import { apiHandler } from "@/lib/api/api-handler";
import { archiveCustomer } from "@/lib/customers/archive-customer";
import { toCustomerDto } from "@/lib/customers/customer-dto";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const POST = apiHandler({}, async ({ actor, params }) => ({ customer: toCustomerDto(await archiveCustomer(actor, params.id!)) }));

export const { GET, PUT, PATCH, DELETE } = otherMethodsNotAllowed(["POST"]);
