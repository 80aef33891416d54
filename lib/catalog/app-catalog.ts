import type { Actor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { registryRecordSelect } from "@/lib/registries/registry-record-select";
import { getApp } from "@/lib/apps/get-app";
import type { PullApp, PullRegistry } from "@/lib/licenses/decide-pull";
import { registryPathSegment } from "@/lib/registries/path-segment";
import { cachedRepositories, cachedTags, type CachedRegistry } from "@/lib/catalog/catalog-cache";
import type { CatalogImageRef } from "@/lib/catalog/covered-images";

// An app's image catalog: for each registry the app may use, the
// repositories its /v2/_catalog lists (where the registry allows it) and the
// ones the vendor listed for the app on its page, with their tags on demand.

/** Tags are read for at most this many images per page (each is one upstream request when not cached). */
export const MAX_IMAGES_WITH_TAGS = 100;
const TAG_CONCURRENCY = 6;

export type CatalogRegistry = {
  id: string;
  provider: string;
  endpoint: string;
  name: string | null;
  /** How image paths name it; null when it needs an alias first (see problem). */
  segment: string | null;
  problem: string | null;
  /** "listed": the registry does not offer /v2/_catalog, only the vendor's list counts. */
  source: "catalog" | "listed";
  catalogError: string | null;
  unavailableReason: string | null;
  checkedAt: string | null;
  stale: boolean;
  truncated: boolean;
};

export type CatalogImage = CatalogImageRef & {
  /** `<segment>/<repository>`: the image path after proxy/<app>/. */
  image: string;
  /** Listed by the vendor for this app (removable), as opposed to found in the registry's catalog. */
  listedId: string | null;
  inCatalog: boolean;
};

export type AppCatalog = {
  app: PullApp & { name: string };
  registries: CatalogRegistry[];
  images: CatalogImage[];
  /** Every registry of the team, in the shape decidePull takes. */
  decisionRegistries: PullRegistry[];
};

export type ImageTags = { tags: string[]; truncated: boolean; error: string | null; stale: boolean; missing: boolean };

type RegistryRow = CachedRegistry & { name: string | null; allApps: boolean; createdAt: Date; apps: { id: string }[] };

export async function getAppCatalog(actor: Pick<Actor, "teamId">, appId: string): Promise<AppCatalog> {
  const app = await getApp(actor, appId);
  const [rows, listed] = await Promise.all([
    prisma.registryCredential.findMany({
      where: { teamId: actor.teamId },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { ...registryRecordSelect, teamId: true, createdAt: true },
    }),
    prisma.appRepository.findMany({ where: { teamId: actor.teamId, appId: app.id }, orderBy: { repository: "asc" } }),
  ]);
  const decisionRegistries: PullRegistry[] = rows.map((r) => ({
    id: r.id,
    provider: r.provider,
    endpoint: r.endpoint,
    name: r.name,
    allApps: r.allApps,
    appIds: r.apps.map((a) => a.id),
  }));
  const usable = (rows as RegistryRow[]).filter((r) => r.allApps || r.apps.some((a) => a.id === app.id));

  const registries: CatalogRegistry[] = [];
  const images: CatalogImage[] = [];
  await Promise.all(
    usable.map(async (row) => {
      const path = registryPathSegment(row);
      const catalog = path.ok ? await cachedRepositories(row) : null;
      registries.push({
        id: row.id,
        provider: row.provider,
        endpoint: row.endpoint,
        name: row.name,
        segment: path.ok ? path.segment : null,
        problem: path.ok ? null : path.problem,
        source: catalog?.available ? "catalog" : "listed",
        catalogError: catalog?.error ?? null,
        unavailableReason: catalog?.unavailableReason ?? null,
        checkedAt: catalog?.checkedAt?.toISOString() ?? null,
        stale: catalog?.stale ?? false,
        truncated: catalog?.truncated ?? false,
      });
      if (!path.ok) return;
      const mine = listed.filter((l) => l.registryId === row.id);
      const names = new Set([...(catalog?.repositories ?? []), ...mine.map((l) => l.repository)]);
      const inCatalog = new Set(catalog?.repositories ?? []);
      for (const repository of names) {
        images.push({
          registryId: row.id,
          segment: path.segment,
          repository,
          image: `${path.segment}/${repository}`,
          listedId: mine.find((l) => l.repository === repository)?.id ?? null,
          inCatalog: inCatalog.has(repository),
        });
      }
    }),
  );
  const order = new Map(usable.map((r, i) => [r.id, i]));
  registries.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  images.sort((a, b) => order.get(a.registryId)! - order.get(b.registryId)! || (a.repository < b.repository ? -1 : a.repository > b.repository ? 1 : 0));
  return {
    app: { id: app.id, teamId: app.teamId, slug: app.slug, name: app.name },
    registries,
    images,
    decisionRegistries,
  };
}

/** Tags of the first MAX_IMAGES_WITH_TAGS images (cached per PULLGATE_TAG_TTL), a few upstream requests at a time. */
export async function tagsForImages(actor: Pick<Actor, "teamId">, images: readonly CatalogImageRef[]): Promise<Map<string, ImageTags>> {
  const wanted = images.slice(0, MAX_IMAGES_WITH_TAGS);
  const ids = [...new Set(wanted.map((i) => i.registryId))];
  const rows = await prisma.registryCredential.findMany({
    where: { teamId: actor.teamId, id: { in: ids } },
    select: { id: true, teamId: true, provider: true, endpoint: true, username: true, secretCiphertext: true, allowHttp: true, updatedAt: true },
  });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const result = new Map<string, ImageTags>();
  let next = 0;
  async function worker() {
    while (next < wanted.length) {
      const image = wanted[next++]!;
      const registry = byId.get(image.registryId);
      if (!registry) continue;
      const cached = await cachedTags(registry, image.repository);
      result.set(imageKey(image), { tags: cached.tags, truncated: cached.truncated, error: cached.error, stale: cached.stale, missing: cached.missing });
    }
  }
  await Promise.all(Array.from({ length: Math.min(TAG_CONCURRENCY, wanted.length) }, worker));
  return result;
}

export function imageKey(image: Pick<CatalogImageRef, "registryId" | "repository">): string {
  return `${image.registryId}\u0000${image.repository}`;
}

export type AppCatalogImageDto = CatalogImage & {
  /** null for images past MAX_IMAGES_WITH_TAGS (their tags are not read). */
  tags: string[] | null;
  tagsError: string | null;
};
export type AppCatalogDto = { appId: string; appSlug: string; registries: CatalogRegistry[]; images: AppCatalogImageDto[] };

/** The catalog as the API and the app page show it, with the tags of the first MAX_IMAGES_WITH_TAGS images. */
export async function describeAppCatalog(actor: Pick<Actor, "teamId">, appId: string): Promise<AppCatalogDto> {
  const catalog = await getAppCatalog(actor, appId);
  const tags = await tagsForImages(actor, catalog.images);
  return {
    appId: catalog.app.id,
    appSlug: catalog.app.slug,
    registries: catalog.registries,
    images: catalog.images.map((image) => {
      const found = tags.get(imageKey(image));
      return {
        ...image,
        tags: found ? found.tags : null,
        tagsError: found?.missing ? `${image.repository} was not found on the registry.` : (found?.error ?? null),
      };
    }),
  };
}

/** What the image-pattern editor needs to preview, in the browser, which images a pattern matches (no tags, no secrets). */
export type PatternPreviewData = { app: PullApp; registries: PullRegistry[]; images: (CatalogImageRef & { image: string })[]; unlisted: string[] };

export async function getPatternPreviewData(actor: Pick<Actor, "teamId">, appId: string): Promise<PatternPreviewData> {
  const catalog = await getAppCatalog(actor, appId);
  return {
    app: { id: catalog.app.id, teamId: catalog.app.teamId, slug: catalog.app.slug },
    registries: catalog.decisionRegistries,
    images: catalog.images.map(({ registryId, segment, repository, image }) => ({ registryId, segment, repository, image })),
    // Registries whose images are unknown (no catalog, nothing listed): the preview says it cannot show them.
    unlisted: catalog.registries
      .filter((r) => !r.segment || (r.source === "listed" && !catalog.images.some((i) => i.registryId === r.id)))
      .map((r) => r.name ?? r.endpoint),
  };
}
