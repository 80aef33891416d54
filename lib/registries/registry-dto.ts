import type { RegistryCredential } from "@/lib/generated/prisma/client";
import type { RegistryProvider } from "@/lib/generated/prisma/enums";

// What pages, server actions and the API may see of a linked registry: an
// explicit whitelist, so the ciphertext (or anything added to the model later)
// never leaks by accident.

export type RegistryDto = {
  id: string;
  provider: RegistryProvider;
  endpoint: string;
  name: string | null;
  username: string;
  allowHttp: boolean;
  allApps: boolean;
  /** null when every app of the team may use this registry. */
  appIds: string[] | null;
  lastTestedAt: string | null;
  lastTestStatus: string | null;
  lastTestMessage: string | null;
  createdAt: string;
  updatedAt: string;
};

export type RegistryRow = RegistryCredential & { apps: { id: string }[] };

export function toRegistryDto(row: RegistryRow): RegistryDto {
  return {
    id: row.id,
    provider: row.provider,
    endpoint: row.endpoint,
    name: row.name,
    username: row.username,
    allowHttp: row.allowHttp,
    allApps: row.allApps,
    appIds: row.allApps ? null : row.apps.map((app) => app.id).sort(),
    lastTestedAt: row.lastTestedAt?.toISOString() ?? null,
    lastTestStatus: row.lastTestStatus,
    lastTestMessage: row.lastTestMessage,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Fields summarised in audit events (never the secret). */
export function registryAuditFields(row: RegistryRow): Record<string, unknown> {
  return {
    provider: row.provider,
    endpoint: row.endpoint,
    name: row.name,
    username: row.username,
    allowHttp: row.allowHttp,
    appIds: row.allApps ? "all" : row.apps.map((app) => app.id).sort(),
  };
}
