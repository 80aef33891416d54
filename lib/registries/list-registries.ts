import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { toRegistryDto, type RegistryDto } from "@/lib/registries/registry-dto";

/** The team's linked registries, oldest first. */
export async function listRegistries(actor: Pick<Actor, "teamId">): Promise<RegistryDto[]> {
  const rows = await prisma.registryCredential.findMany({
    where: { teamId: actor.teamId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    include: { apps: { select: { id: true } } },
  });
  return rows.map(toRegistryDto);
}
