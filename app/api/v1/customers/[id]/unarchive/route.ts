import { apiHandler } from "@/lib/api/api-handler";
import { unarchiveCustomer } from "@/lib/customers/unarchive-customer";
import { toCustomerDto } from "@/lib/customers/customer-dto";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const POST = apiHandler({}, async ({ actor, params }) => ({ customer: toCustomerDto(await unarchiveCustomer(actor, params.id!)) }));

export const { GET, PUT, PATCH, DELETE } = otherMethodsNotAllowed(["POST"]);
