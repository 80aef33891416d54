import { apiHandler } from "@/lib/api/api-handler";
import { unarchiveCustomer } from "@/lib/customers/unarchive-customer";
import { toCustomerDto } from "@/lib/customers/customer-dto";

export const POST = apiHandler({}, async ({ actor, params }) => ({ customer: toCustomerDto(await unarchiveCustomer(actor, params.id!)) }));
