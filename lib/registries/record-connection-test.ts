import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { ConnectionTestResult } from "@/lib/registries/test-registry-connection";

export type TestedRegistry = {
  /** The saved registry tested (or edited), null for the draft of a new one. */
  id: string | null;
  name: string | null;
  provider: string;
  endpoint: string;
};

/**
 * Every connection test (API, portal action, saved or draft, and the one a
 * save runs) leaves an audit event "registry.test": who made Pullgate connect
 * where, and what came of it. A tenant probing addresses through the test is
 * on record even when nothing is saved.
 */
export async function recordConnectionTest(
  actor: Actor,
  registry: TestedRegistry,
  result: ConnectionTestResult,
  image?: string,
): Promise<void> {
  await recordAuditEvent(prisma, {
    actor,
    action: "registry.test",
    targetType: "registry",
    targetId: registry.id,
    targetName: registry.name ?? registry.endpoint,
    after: {
      provider: registry.provider,
      endpoint: registry.endpoint,
      ...(image ? { image: image.slice(0, 300) } : {}),
      result: result.status,
      message: result.message.slice(0, 500),
    },
  });
}
