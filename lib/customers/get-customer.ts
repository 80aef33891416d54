import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import type { CustomerWithLicense } from "@/lib/customers/customer-dto";

/** A customer of the actor's team with its license; another team's customer is "not found". */
export async function getCustomer(actor: Pick<Actor, "teamId">, customerId: string): Promise<CustomerWithLicense> {
  const customer = await prisma.customer.findFirst({
    where: { id: customerId, teamId: actor.teamId },
    include: { license: true },
  });
  if (!customer?.license) throw new NotFoundError("Customer");
  return customer as CustomerWithLicense;
}
