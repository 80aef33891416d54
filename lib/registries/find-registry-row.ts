import type { Prisma } from "@/lib/generated/prisma/client";
import type { prisma } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import type { RegistryRow } from "@/lib/registries/registry-dto";

type Db = Prisma.TransactionClient | typeof prisma;

/** The team's registry with this ID; another team's registry is "not found". */
export async function findRegistryRow(db: Db, teamId: string, id: string): Promise<RegistryRow> {
  const row = await db.registryCredential.findFirst({
    where: { id, teamId },
    include: { apps: { select: { id: true } } },
  });
  if (!row) throw new NotFoundError("Registry");
  return row;
}
