"use client";

import * as React from "react";
import { useQuery } from "@tanstack/react-query";
import { Badge } from "@/components/ui/badge";
import type { PatternPreviewData } from "@/lib/catalog/app-catalog";
import { coveredImages } from "@/lib/catalog/covered-images";
import { draftLicense } from "@/lib/licenses/decide-pull";
import { imagePatternProblem } from "@/lib/licenses/image-patterns";

// Previews, as the vendor types, which of the app's known images a set of
// image patterns lets a license pull: decidePull (the proxy's own decision)
// run in the browser over the app's catalog.

const SHOWN = 12;

async function fetchPreview(appId: string): Promise<PatternPreviewData> {
  const response = await fetch(`/api/portal/apps/${encodeURIComponent(appId)}/catalog`, { headers: { accept: "application/json" } });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw new Error((body as { error?: { message?: string } } | null)?.error?.message ?? `Loading the app's images failed (${response.status}).`);
  return body as PatternPreviewData;
}

export function usePatternPreview(appId: string) {
  return useQuery({ queryKey: ["pattern-preview", appId], queryFn: () => fetchPreview(appId), enabled: Boolean(appId), staleTime: 30_000 });
}

function matching(data: PatternPreviewData, patterns: string[]) {
  return coveredImages({ app: data.app, registries: data.registries, license: draftLicense(data.app.teamId, data.app.id, patterns) }, data.images);
}

/** Under one pattern: the images it matches, or why it is not a pattern yet. */
export function PatternMatches({ data, pattern }: { data: PatternPreviewData | undefined; pattern: string }) {
  const trimmed = pattern.trim();
  if (!trimmed || !data) return null;
  const problem = imagePatternProblem(trimmed);
  if (problem) return <p className="text-[13px] text-amber-800">{problem}</p>;
  const found = matching(data, [trimmed]);
  return (
    <p className="text-[13px] text-zinc-500" data-testid="pattern-matches">
      {found.length === 0 ? "Matches none of the app's known images." : `Matches ${found.map((i) => i.image).slice(0, 4).join(", ")}${found.length > 4 ? ` and ${found.length - 4} more` : ""}.`}
    </p>
  );
}

/** The whole license: which of the app's known images it may pull with these patterns. */
export function PatternPreview({ query, patterns }: { query: ReturnType<typeof usePatternPreview>; patterns: string[] }) {
  if (query.isError) return <p className="text-[13px] text-amber-800">{query.error.message}</p>;
  const data = query.data;
  if (!data) return query.isFetching ? <p className="text-[13px] text-zinc-500">Reading the app&apos;s images…</p> : null;
  const valid = patterns.map((p) => p.trim()).filter((p) => p && !imagePatternProblem(p));
  const found = matching(data, valid);
  return (
    <div className="grid gap-1.5 rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2.5" data-testid="pattern-preview">
      <p className="text-[13px] text-zinc-700">
        {data.images.length === 0
          ? "No images of this app are known yet, so there is nothing to preview."
          : `May pull ${found.length} of the app's ${data.images.length} known ${data.images.length === 1 ? "image" : "images"}${found.length ? ":" : "."}`}
      </p>
      {found.length > 0 ? (
        <div className="flex flex-wrap gap-1">
          {found.slice(0, SHOWN).map((i) => (
            <Badge key={`${i.registryId}/${i.repository}`} variant="outline" className="font-mono" data-testid="preview-image">
              {i.image}
            </Badge>
          ))}
          {found.length > SHOWN ? <Badge>+{found.length - SHOWN} more</Badge> : null}
        </div>
      ) : null}
      {data.unlisted.length > 0 ? (
        <p className="text-xs text-zinc-500">
          Not included: the images of {data.unlisted.join(", ")}, which do not list their repositories (list them on the app&apos;s page).
        </p>
      ) : null}
    </div>
  );
}
