import Link from "next/link";
import { AlertTriangle, Boxes } from "lucide-react";
import { AddRepositoryForm, RemoveRepositoryButton } from "@/components/apps/app-repository-controls";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import type { Actor } from "@/lib/auth/actor";
import { describeAppCatalog } from "@/lib/catalog/app-catalog";
import { formatDateTime } from "@/lib/utils/format-date";

const SHOWN_TAGS = 6;
/** Per registry; a catalog of hundreds of repositories is summarised below it. */
const SHOWN_IMAGES = 50;

/**
 * The app's image catalog, per registry it may use: what the registry's
 * /v2/_catalog lists, plus the repositories listed here by hand (the only
 * source for registries without a catalog, such as Docker Hub or GHCR).
 */
export async function AppImages({ actor, appId, canWrite }: { actor: Pick<Actor, "teamId">; appId: string; canWrite: boolean }) {
  const catalog = await describeAppCatalog(actor, appId);
  const addable = catalog.registries.filter((r) => r.segment).map((r) => ({ id: r.id, label: r.name ? `${r.name} (${r.endpoint})` : r.endpoint }));
  return (
    <Card id="images">
      <CardHeader>
        <CardTitle>Images</CardTitle>
        <CardDescription>
          What customers of this app can be given: the repositories of the registries the app may use. A customer&apos;s image patterns narrow it down.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-5">
        {catalog.registries.length === 0 ? (
          <EmptyState icon={Boxes} title="No registry for this app" className="py-8">
            Link a registry{canWrite ? <> in <Link className="underline" href="/settings/registries">Settings → Registries</Link></> : null} (for all apps, or for this one) and its images show up here.
          </EmptyState>
        ) : null}
        {catalog.registries.map((registry) => {
          const all = catalog.images.filter((i) => i.registryId === registry.id);
          const images = all.slice(0, SHOWN_IMAGES);
          return (
            <section key={registry.id} className="grid gap-2" aria-label={`Images of ${registry.name ?? registry.endpoint}`} data-testid="catalog-registry">
              <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
                <h4 className="text-sm font-semibold text-zinc-900">
                  {registry.name ?? registry.endpoint}
                  {registry.name ? <span className="ml-1.5 font-normal text-zinc-500">{registry.endpoint}</span> : null}
                </h4>
                <span className="text-xs text-zinc-500">
                  {registry.problem
                    ? null
                    : registry.source === "catalog"
                      ? `Listed by the registry's catalog${registry.checkedAt ? `, read ${formatDateTime(registry.checkedAt)}` : ""}${registry.stale ? " (could not refresh)" : ""}`
                      : "The registry does not list its repositories: list them here"}
                </span>
              </div>
              {registry.problem ? (
                <p className="flex items-start gap-2 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
                  <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden />
                  <span>
                    {registry.problem}{" "}
                    {canWrite ? (
                      <Link className="font-medium underline underline-offset-2" href={`/settings/registries/${registry.id}/edit`}>
                        Add an alias
                      </Link>
                    ) : null}
                  </span>
                </p>
              ) : null}
              {registry.catalogError ? <p className="text-xs text-amber-800">Last read failed: {registry.catalogError}</p> : null}
              {images.length === 0 && !registry.problem ? <p className="text-sm text-zinc-500">No repositories known yet.</p> : null}
              {images.length > 0 ? (
                <ul className="divide-y divide-zinc-100 rounded-md border border-zinc-200">
                  {images.map((image) => (
                    <li key={image.repository} className="flex min-w-0 flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2" data-testid="catalog-image" data-image={image.image}>
                      <span className="min-w-0 flex-1 break-all font-mono text-[13px] text-zinc-900">{image.image}</span>
                      <span className="flex flex-wrap gap-1">
                        {(image.tags ?? []).slice(0, SHOWN_TAGS).map((tag) => (
                          <Badge key={tag} variant="outline" className="font-mono">
                            {tag}
                          </Badge>
                        ))}
                        {(image.tags?.length ?? 0) > SHOWN_TAGS ? <Badge>+{image.tags!.length - SHOWN_TAGS}</Badge> : null}
                        {image.tagsError ? <span className="text-xs text-amber-800">{image.tagsError}</span> : null}
                      </span>
                      {image.listedId ? <Badge variant="info">listed here</Badge> : null}
                      {canWrite && image.listedId ? (
                        <RemoveRepositoryButton appId={appId} repositoryId={image.listedId} name={image.repository} />
                      ) : null}
                    </li>
                  ))}
                </ul>
              ) : null}
              {all.length > images.length ? (
                <p className="text-xs text-zinc-500">
                  And {all.length - images.length} more{registry.truncated ? " (the registry lists more than Pullgate reads: the first 1000)" : ""}.
                </p>
              ) : null}
            </section>
          );
        })}
        {canWrite && addable.length > 0 ? (
          <div className="border-t border-zinc-100 pt-4">
            <AddRepositoryForm appId={appId} registries={addable} />
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}
