import { apiHandler } from "@/lib/api/api-handler";
import { jsonObjectBody } from "@/lib/api/json-body";
import { jsonResponse } from "@/lib/api/responses";
import { listCustomers } from "@/lib/customers/list-customers";
import { createCustomer } from "@/lib/customers/create-customer";
import { toCustomerDto } from "@/lib/customers/customer-dto";
import { listCustomersQuerySchema, type CreateCustomerInput } from "@/lib/customers/schemas";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({ query: listCustomersQuerySchema }, async ({ actor, query }) => {
  const { customers, nextCursor } = await listCustomers(actor, query);
  const now = new Date();
  return { customers: customers.map((c) => toCustomerDto(c, now)), nextCursor };
});

export const POST = apiHandler({ body: jsonObjectBody }, async ({ actor, body }) => {
  const customer = await createCustomer(actor, body as CreateCustomerInput);
  return jsonResponse({ customer: toCustomerDto(customer) }, 201);
});

export const { PUT, PATCH, DELETE } = otherMethodsNotAllowed(["GET", "POST"]);
