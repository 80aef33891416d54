import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { findRegistryRow } from "@/lib/registries/find-registry-row";
import { toRegistryDto, type RegistryDto } from "@/lib/registries/registry-dto";

export async function getRegistry(actor: Pick<Actor, "teamId">, id: string): Promise<RegistryDto> {
  return toRegistryDto(await findRegistryRow(prisma, actor.teamId, id));
}
