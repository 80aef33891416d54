import { assertCanWrite, type Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { parseOrThrow } from "@/lib/validation/format-zod-issues";
import { findRegistryRow } from "@/lib/registries/find-registry-row";
import { testRegistrySchema, type TestRegistryInput } from "@/lib/registries/schemas";
import {
  SECRET_UNREADABLE_MESSAGE,
  testRegistryConnection,
  type ConnectionTestResult,
} from "@/lib/registries/test-registry-connection";
import { SecretDecryptionError } from "@/lib/secrets/crypto";
import { toUpstreamCredential } from "@/lib/registries/upstream-credential";
import type { UpstreamClientOptions } from "@/lib/upstream/client";
import { recordConnectionTest } from "@/lib/registries/record-connection-test";

/**
 * Runs the connection test for a saved registry, with its stored secret
 * against its stored endpoint only, and records when and how it went (on the
 * registry and as an audit event).
 */
export async function testSavedRegistry(
  actor: Actor,
  id: string,
  input: TestRegistryInput = {},
  options: { upstream?: UpstreamClientOptions } = {},
): Promise<ConnectionTestResult> {
  assertCanWrite(actor);
  const { image } = parseOrThrow(testRegistrySchema, input);
  const row = await findRegistryRow(prisma, actor.teamId, id);
  let result: ConnectionTestResult;
  try {
    result = await testRegistryConnection(toUpstreamCredential(row), { ...options.upstream, image });
  } catch (err) {
    if (!(err instanceof SecretDecryptionError)) throw err;
    result = { ok: false, status: "secret_unreadable", message: SECRET_UNREADABLE_MESSAGE };
  }
  await recordConnectionTest(actor, row, result, image);
  // updateMany scoped by team: the row may have been deleted meanwhile.
  await prisma.registryCredential.updateMany({
    where: { id: row.id, teamId: actor.teamId },
    data: { lastTestedAt: new Date(), lastTestStatus: result.status, lastTestMessage: result.message },
  });
  return result;
}
