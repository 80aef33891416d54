"use server";

import { revalidatePath } from "next/cache";
import { requireSessionActor } from "@/lib/auth/session";
import { ValidationError } from "@/lib/errors";
import { requireId, runAction, type ActionResult } from "@/lib/actions/action-result";
import { createCustomer } from "@/lib/customers/create-customer";
import { updateCustomer } from "@/lib/customers/update-customer";
import { archiveCustomer } from "@/lib/customers/archive-customer";
import { unarchiveCustomer } from "@/lib/customers/unarchive-customer";
import { toCustomerDto, type CustomerDto } from "@/lib/customers/customer-dto";
import type { CreateCustomerInput, UpdateCustomerInput } from "@/lib/customers/schemas";

// Thin wrappers: lib/customers validates with the same zod schemas as the
// REST API, checks the role (members are refused with 403) and scopes every
// query by the session's team (another team's id is "not found").

function revalidateCustomer(id: string): void {
  revalidatePath("/customers");
  revalidatePath(`/customers/${id}`);
  revalidatePath("/apps", "layout");
}

export async function createCustomerAction(input: CreateCustomerInput): Promise<ActionResult<CustomerDto>> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    const customer = await createCustomer(actor, input);
    revalidateCustomer(customer.id);
    return toCustomerDto(customer);
  });
}

export async function updateCustomerAction(customerId: string, input: UpdateCustomerInput): Promise<ActionResult<CustomerDto>> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    const customer = await updateCustomer(actor, requireId(customerId, "Customer"), input);
    revalidateCustomer(customer.id);
    return toCustomerDto(customer);
  });
}

export async function setRegistryAccessAction(customerId: string, registryAccess: boolean): Promise<ActionResult<CustomerDto>> {
  return updateCustomerAction(customerId, { registryAccess });
}

export async function setArchivedAction(customerId: string, archived: boolean): Promise<ActionResult<CustomerDto>> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    const id = requireId(customerId, "Customer");
    if (typeof archived !== "boolean") throw new ValidationError("archived: Must be true or false.", [{ path: "archived", message: "Must be true or false." }]);
    const customer = archived ? await archiveCustomer(actor, id) : await unarchiveCustomer(actor, id);
    revalidateCustomer(customer.id);
    return toCustomerDto(customer);
  });
}
