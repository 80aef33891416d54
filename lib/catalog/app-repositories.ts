import { Prisma, type AppRepository } from "@/lib/generated/prisma/client";
import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { getApp } from "@/lib/apps/get-app";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";
import { addAppRepositorySchema, MAX_APP_REPOSITORIES, type AddAppRepositoryInput } from "@/lib/catalog/schemas";

// The repositories a vendor lists for an app: its image catalog on registries
// that do not answer /v2/_catalog (Docker Hub, GHCR, most hosted ones).

export type AppRepositoryDto = { id: string; appId: string; registryId: string; repository: string; createdAt: string };

export function toAppRepositoryDto(row: AppRepository): AppRepositoryDto {
  return { id: row.id, appId: row.appId, registryId: row.registryId, repository: row.repository, createdAt: row.createdAt.toISOString() };
}

export async function listAppRepositories(actor: Pick<Actor, "teamId">, appId: string): Promise<AppRepositoryDto[]> {
  const app = await getApp(actor, appId);
  const rows = await prisma.appRepository.findMany({ where: { teamId: actor.teamId, appId: app.id }, orderBy: [{ repository: "asc" }, { id: "asc" }] });
  return rows.map(toAppRepositoryDto);
}

export async function addAppRepository(actor: Actor, appId: string, input: AddAppRepositoryInput): Promise<AppRepositoryDto> {
  assertCanWrite(actor);
  const fields = parseOrThrow(addAppRepositorySchema, input);
  const add = prisma.$transaction(async (tx) => {
    const app = await getApp(actor, appId, tx);
    const registry = await tx.registryCredential.findFirst({
      where: { id: fields.registryId, teamId: actor.teamId },
      select: { id: true, name: true, endpoint: true, allApps: true, apps: { where: { id: app.id }, select: { id: true } } },
    });
    if (!registry) throw new ValidationError("Invalid request. registryId: no such registry in this team.", [{ path: "registryId", message: "No such registry in this team." }]);
    if (!registry.allApps && registry.apps.length === 0) {
      throw new ValidationError(`Invalid request. registryId: ${registry.name ?? registry.endpoint} is not available to this app.`, [
        { path: "registryId", message: `${registry.name ?? registry.endpoint} is not available to this app: allow the app in the registry's settings first.` },
      ]);
    }
    const count = await tx.appRepository.count({ where: { appId: app.id } });
    if (count >= MAX_APP_REPOSITORIES) {
      throw new ValidationError(`Invalid request. repository: an app lists at most ${MAX_APP_REPOSITORIES} repositories.`, [
        { path: "repository", message: `An app lists at most ${MAX_APP_REPOSITORIES} repositories.` },
      ]);
    }
    const existing = await tx.appRepository.findFirst({ where: { appId: app.id, registryId: registry.id, repository: fields.repository }, select: { id: true } });
    if (existing) throw new ConflictError(`${fields.repository} is already listed for this registry.`);
    const row = await tx.appRepository.create({ data: { teamId: actor.teamId, appId: app.id, registryId: registry.id, repository: fields.repository } });
    await recordAuditEvent(tx, {
      actor,
      action: "app.repository.add",
      targetType: "app",
      targetId: app.id,
      targetName: app.name,
      after: { registry: registry.name ?? registry.endpoint, repository: row.repository },
    });
    return toAppRepositoryDto(row);
  });
  // Two saves of the same repository at once: the unique index decides, with the same message.
  return add.catch((err: unknown) => {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") throw new ConflictError(`${fields.repository} is already listed for this registry.`);
    throw err;
  });
}

export async function removeAppRepository(actor: Actor, appId: string, repositoryId: string): Promise<AppRepositoryDto> {
  assertCanWrite(actor);
  return prisma.$transaction(async (tx) => {
    const app = await getApp(actor, appId, tx);
    const row = await tx.appRepository.findFirst({ where: { id: repositoryId, appId: app.id, teamId: actor.teamId }, include: { registry: { select: { name: true, endpoint: true } } } });
    if (!row) throw new NotFoundError("Repository");
    await tx.appRepository.delete({ where: { id: row.id } });
    await recordAuditEvent(tx, {
      actor,
      action: "app.repository.remove",
      targetType: "app",
      targetId: app.id,
      targetName: app.name,
      before: { registry: row.registry.name ?? row.registry.endpoint, repository: row.repository },
    });
    return toAppRepositoryDto(row);
  });
}
