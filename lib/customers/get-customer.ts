import type { Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import type { CustomerWithLicense } from "@/lib/customers/customer-dto";

type Db = Prisma.TransactionClient | typeof prisma;

/**
 * A customer of the actor's team with its license; another team's customer is
 * "not found". Pass `db` to read inside a transaction.
 */
export async function getCustomer(actor: Pick<Actor, "teamId">, customerId: string, db: Db = prisma): Promise<CustomerWithLicense> {
  const customer = await db.customer.findFirst({
    where: { id: customerId, teamId: actor.teamId },
    include: { license: true },
  });
  if (!customer?.license) throw new NotFoundError("Customer");
  return customer as CustomerWithLicense;
}
