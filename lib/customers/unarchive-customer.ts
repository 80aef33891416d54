import type { Actor } from "@/lib/auth/actor";
import { setCustomerArchived } from "@/lib/customers/archive-customer";
import type { CustomerWithLicense } from "@/lib/customers/customer-dto";

/** Restores an archived customer's registry access (the license's own state applies again). */
export function unarchiveCustomer(actor: Actor, customerId: string): Promise<CustomerWithLicense> {
  return setCustomerArchived(actor, customerId, false);
}
