import { apiHandler } from "@/lib/api/api-handler";
import { jsonObjectBody } from "@/lib/api/json-body";
import { getCustomer } from "@/lib/customers/get-customer";
import { updateCustomer } from "@/lib/customers/update-customer";
import { toCustomerDto } from "@/lib/customers/customer-dto";
import type { UpdateCustomerInput } from "@/lib/customers/schemas";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({}, async ({ actor, params }) => ({ customer: toCustomerDto(await getCustomer(actor, params.id!)) }));

export const PATCH = apiHandler({ body: jsonObjectBody }, async ({ actor, params, body }) => ({
  customer: toCustomerDto(await updateCustomer(actor, params.id!, body as UpdateCustomerInput)),
}));

export const { POST, PUT, DELETE } = otherMethodsNotAllowed(["GET", "PATCH"]);
