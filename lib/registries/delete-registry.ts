import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { findRegistryRow } from "@/lib/registries/find-registry-row";
import { registryAuditFields, toRegistryDto, type RegistryDto } from "@/lib/registries/registry-dto";

/** Unlinks a registry; the stored secret goes with the row. */
export async function deleteRegistry(actor: Actor, id: string): Promise<RegistryDto> {
  assertCanWrite(actor);
  return prisma.$transaction(async (tx) => {
    const row = await findRegistryRow(tx, actor.teamId, id);
    await tx.registryCredential.delete({ where: { id: row.id } });
    await recordAuditEvent(tx, {
      actor,
      action: "registry.delete",
      targetType: "registry",
      targetId: row.id,
      targetName: row.name ?? row.endpoint,
      before: registryAuditFields(row),
    });
    return toRegistryDto(row);
  });
}
