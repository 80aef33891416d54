import { Prisma } from "@/lib/generated/prisma/client";
import type { RegistryAuthType } from "@/lib/generated/prisma/enums";
import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { ConflictError, ConnectionFailedError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";
import { encryptSecret } from "@/lib/secrets/crypto";
import { createRegistrySchema, type CreateRegistryInput, type RegistryFields } from "@/lib/registries/schemas";
import { registryAuditFields, toRegistryDto, type RegistryDto } from "@/lib/registries/registry-dto";
import { testRegistryConnection, type ConnectionTestResult } from "@/lib/registries/test-registry-connection";
import { assertTeamApps } from "@/lib/registries/validate-app-ids";
import { draftCredential } from "@/lib/registries/upstream-credential";
import { recordConnectionTest } from "@/lib/registries/record-connection-test";
import type { UpstreamClientOptions } from "@/lib/upstream/client";

export function authTypeFor(fields: Pick<RegistryFields, "provider" | "username">): RegistryAuthType {
  if (fields.provider === "ecr") return "aws";
  if ((fields.provider === "gar" || fields.provider === "gcr") && fields.username === "_json_key") return "gcp_json_key";
  if (fields.provider === "other" && !fields.username) return "none";
  return "basic";
}

export function aliasTakenMessage(name: string): string {
  return `The alias "${name}" is already used by another registry of this team.`;
}

export function endpointTakenMessage(endpoint: string): string {
  return `${endpoint} is already linked by this team: edit that registry instead.`;
}

/** Conflicts checked before the (slow) connection test and again inside the transaction. */
export async function assertNoConflicts(
  tx: Prisma.TransactionClient | typeof prisma,
  teamId: string,
  fields: { endpoint: string; name?: string | null },
  exceptId?: string,
): Promise<void> {
  const others = { teamId, ...(exceptId ? { id: { not: exceptId } } : {}) };
  if (fields.name) {
    const alias = await tx.registryCredential.findFirst({ where: { ...others, name: fields.name }, select: { id: true } });
    if (alias) throw new ConflictError(aliasTakenMessage(fields.name));
  }
  const same = await tx.registryCredential.findFirst({ where: { ...others, endpoint: fields.endpoint }, select: { id: true } });
  if (same) throw new ConflictError(endpointTakenMessage(fields.endpoint));
}

/** The team's apps named in `fields.appIds` exist and neither alias nor endpoint is taken by another registry. */
export async function assertSavable(
  tx: Prisma.TransactionClient,
  teamId: string,
  fields: Pick<RegistryFields, "endpoint" | "name" | "appIds">,
  exceptId?: string,
): Promise<void> {
  await assertTeamApps(tx, teamId, fields.appIds ?? []);
  await assertNoConflicts(tx, teamId, fields, exceptId);
}

/**
 * Runs the connection test with the values being saved (audited as
 * registry.test); a failure saves nothing (API 422 connection_failed).
 */
export async function assertConnects(
  actor: Actor,
  fields: RegistryFields,
  upstream: UpstreamClientOptions | undefined,
  existing: { id: string } | null = null,
): Promise<ConnectionTestResult> {
  const test = await testRegistryConnection(draftCredential(fields), upstream);
  await recordConnectionTest(actor, { id: existing?.id ?? null, name: fields.name ?? null, provider: fields.provider, endpoint: fields.endpoint }, test);
  if (!test.ok) throw new ConnectionFailedError(test.message);
  return test;
}

/** The unique alias index losing a race with another save reads as the same 409 as the check before it. */
export function asAliasConflict(err: unknown, name: string | null | undefined): unknown {
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002" && name) {
    return new ConflictError(aliasTakenMessage(name));
  }
  return err;
}

export type CreateRegistryOptions = { upstream?: UpstreamClientOptions };

/**
 * Links a registry. Unless `skipValidation` is set, the connection test runs
 * first and, when it fails, nothing is saved: ConnectionFailedError carries
 * the test's sentence (API 422 connection_failed).
 */
export async function createRegistry(
  actor: Actor,
  input: CreateRegistryInput,
  options: CreateRegistryOptions = {},
): Promise<RegistryDto> {
  assertCanWrite(actor);
  const fields = parseOrThrow(createRegistrySchema, input);
  const appIds = fields.appIds ?? null;
  await prisma.$transaction((tx) => assertSavable(tx, actor.teamId, fields));

  const test = fields.skipValidation ? null : await assertConnects(actor, fields, options.upstream);

  const sealed = encryptSecret(fields.password);
  try {
    const row = await prisma.$transaction(async (tx) => {
      await assertSavable(tx, actor.teamId, fields);
      const created = await tx.registryCredential.create({
        data: {
          teamId: actor.teamId,
          provider: fields.provider,
          endpoint: fields.endpoint,
          name: fields.name ?? null,
          authType: authTypeFor(fields),
          username: fields.username,
          secretCiphertext: sealed.ciphertext,
          secretKeyVersion: sealed.keyVersion,
          allowHttp: fields.allowHttp ?? false,
          allApps: appIds === null,
          apps: appIds ? { connect: appIds.map((id) => ({ id })) } : undefined,
          lastTestedAt: test ? new Date() : null,
          lastTestStatus: test?.status ?? null,
          lastTestMessage: test?.message ?? null,
        },
        include: { apps: { select: { id: true } } },
      });
      await recordAuditEvent(tx, {
        actor,
        action: "registry.create",
        targetType: "registry",
        targetId: created.id,
        targetName: created.name ?? created.endpoint,
        after: registryAuditFields(created),
      });
      return created;
    });
    return toRegistryDto(row);
  } catch (err) {
    throw asAliasConflict(err, fields.name);
  }
}
