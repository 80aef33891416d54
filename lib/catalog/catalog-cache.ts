import type { RegistryCredential } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db/client";
import { config } from "@/lib/config";
import { toUpstreamCredential } from "@/lib/registries/upstream-credential";
import { createUpstreamClient, type UpstreamClient } from "@/lib/upstream/client";
import { UpstreamError } from "@/lib/upstream/errors";
import { readRepositories, readTags } from "@/lib/catalog/read-upstream";

// The upstream catalog and tag lists, cached in the database (every portal
// process sees the same answer, and it survives restarts) with the rules of
// the proxy's tag cache (proxy/cache/README.md "Tags"): an answer is used for
// PULLGATE_TAG_TTL seconds, then asked again; while the registry is down, slow
// or failing, the last known answer is served (marked stale) and the registry
// is not asked again for a few seconds. Changing a registry (its updatedAt)
// makes its cached answers stale at once.

const OUTAGE_BACKOFF_MS = 5_000;

export type CachedRegistry = Pick<RegistryCredential, "id" | "teamId" | "provider" | "endpoint" | "username" | "secretCiphertext" | "allowHttp" | "updatedAt">;

export type Freshness = {
  /** When the registry last answered; null when it never did. */
  checkedAt: Date | null;
  /** Served from an older answer because the last refresh failed. */
  stale: boolean;
  /** Why the last refresh failed (names the host, never a credential). */
  error: string | null;
};

export type CachedRepositories = Freshness & { available: boolean; repositories: string[]; truncated: boolean; unavailableReason: string | null };
export type CachedTags = Freshness & { tags: string[]; truncated: boolean; missing: boolean };

const inFlight = new Map<string, Promise<unknown>>();

/** Concurrent refreshes of the same list in this process share one upstream walk. */
function once<T>(key: string, load: () => Promise<T>): Promise<T> {
  const running = inFlight.get(key) as Promise<T> | undefined;
  if (running) return running;
  const started = load().finally(() => inFlight.delete(key));
  inFlight.set(key, started);
  return started;
}

/**
 * A cache write that may lose a race with another process (both insert the
 * same key) or with the registry's deletion: the answer is served either way.
 */
async function remember(write: Promise<unknown>): Promise<void> {
  await write.catch(() => {});
}

// One client per registry (and version of its credentials), as the proxy keeps them: the
// learned challenge and scheme are reused, so a refresh is not preceded by a 401 round trip.
const clients = new Map<string, UpstreamClient>();

function clientFor(registry: CachedRegistry): UpstreamClient {
  const key = `${registry.id}@${registry.updatedAt.getTime()}`;
  let client = clients.get(key);
  if (!client) {
    for (const k of clients.keys()) if (k.startsWith(`${registry.id}@`)) clients.delete(k);
    if (clients.size >= 1000) clients.clear();
    client = createUpstreamClient(toUpstreamCredential(registry));
    clients.set(key, client);
  }
  return client;
}

type Row = { checkedAt: Date; failedAt: Date | null; error: string | null };

function decide(row: Row | null, registry: CachedRegistry, now: number): "fresh" | "backoff" | "refresh" {
  if (!row) return "refresh";
  const valid = row.checkedAt.getTime() >= registry.updatedAt.getTime();
  if (valid && now - row.checkedAt.getTime() < config.tagTtlSeconds * 1000) return "fresh";
  if (row.failedAt && now - row.failedAt.getTime() < OUTAGE_BACKOFF_MS) return "backoff";
  return "refresh";
}

function errorMessage(err: unknown): string {
  return err instanceof UpstreamError ? err.message : "the registry could not be read.";
}

/** The registry's repositories from /v2/_catalog, cached. */
export async function cachedRepositories(registry: CachedRegistry, now = Date.now()): Promise<CachedRepositories> {
  const row = await prisma.upstreamCatalog.findUnique({ where: { registryId: registry.id } });
  const fromRow = (stale: boolean): CachedRepositories => ({
    available: row!.available,
    repositories: row!.repositories,
    truncated: row!.truncated,
    unavailableReason: row!.available ? null : row!.error,
    checkedAt: row!.checkedAt.getTime() > 0 ? row!.checkedAt : null,
    stale,
    error: stale ? row!.error : null,
  });
  const state = decide(row, registry, now);
  if (state === "fresh") return fromRow(false);
  if (state === "backoff") return fromRow(true);

  return once(`catalog:${registry.id}`, async () => {
    try {
      const list = await readRepositories(clientFor(registry));
      const data = list.available
        ? { available: true, repositories: list.repositories, truncated: list.truncated, error: null }
        : { available: false, repositories: [], truncated: false, error: list.reason };
      await remember(prisma.upstreamCatalog.upsert({
        where: { registryId: registry.id },
        create: { registryId: registry.id, teamId: registry.teamId, ...data, checkedAt: new Date(now), failedAt: null },
        update: { ...data, checkedAt: new Date(now), failedAt: null },
      }));
      return { ...data, unavailableReason: data.available ? null : data.error, checkedAt: new Date(now), stale: false, error: null };
    } catch (err) {
      const error = errorMessage(err);
      // Remember the failure (and, without an earlier answer, an empty one) for the back-off.
      await remember(prisma.upstreamCatalog.upsert({
        where: { registryId: registry.id },
        create: { registryId: registry.id, teamId: registry.teamId, available: false, checkedAt: new Date(0), failedAt: new Date(now), error },
        update: { failedAt: new Date(now), error },
      }));
      if (row && row.checkedAt.getTime() > 0) return { ...fromRow(true), error };
      return { available: false, repositories: [], truncated: false, unavailableReason: null, checkedAt: null, stale: true, error };
    }
  });
}

/** A repository's tags, cached; `missing` when the registry does not have the repository. */
export async function cachedTags(registry: CachedRegistry, repository: string, now = Date.now()): Promise<CachedTags> {
  const key = { registryId_repository: { registryId: registry.id, repository } };
  const row = await prisma.upstreamTagList.findUnique({ where: key });
  const fromRow = (stale: boolean, error: string | null = null): CachedTags => ({
    tags: row!.tags,
    truncated: row!.truncated,
    missing: false,
    checkedAt: row!.checkedAt.getTime() > 0 ? row!.checkedAt : null,
    stale,
    error,
  });
  const state = decide(row, registry, now);
  if (state === "fresh") return fromRow(false);
  if (state === "backoff") return fromRow(true, row!.error);

  return once(`tags:${registry.id}:${repository}`, async () => {
    try {
      const list = await readTags(clientFor(registry), repository);
      if (!list) {
        // Gone upstream: forget it (as a tag the upstream answers 404 for).
        await remember(prisma.upstreamTagList.deleteMany({ where: { registryId: registry.id, repository } }));
        return { tags: [], truncated: false, missing: true, checkedAt: new Date(now), stale: false, error: null };
      }
      await remember(prisma.upstreamTagList.upsert({
        where: key,
        create: { registryId: registry.id, repository, teamId: registry.teamId, tags: list.tags, truncated: list.truncated, checkedAt: new Date(now) },
        update: { tags: list.tags, truncated: list.truncated, checkedAt: new Date(now), failedAt: null, error: null },
      }));
      return { ...list, missing: false, checkedAt: new Date(now), stale: false, error: null };
    } catch (err) {
      const error = errorMessage(err);
      await remember(prisma.upstreamTagList.upsert({
        where: key,
        create: { registryId: registry.id, repository, teamId: registry.teamId, checkedAt: new Date(0), failedAt: new Date(now), error },
        update: { failedAt: new Date(now), error },
      }));
      if (row && row.checkedAt.getTime() > 0) return fromRow(true, error);
      return { tags: [], truncated: false, missing: false, checkedAt: null, stale: true, error };
    }
  });
}
