"use client";

import * as React from "react";
import Link from "next/link";
import { AlertTriangle, Boxes } from "lucide-react";
import { CodeBlock } from "@/components/ui/code-block";
import { CopyButton } from "@/components/ui/copy-button";
import { EmptyState } from "@/components/ui/empty-state";
import { Select } from "@/components/ui/select";
import { ProxyHostSelect } from "@/components/customers/proxy-host-select";
import type { InstallImage, InstallRegistry } from "@/lib/customers/get-install-instructions";

type Props = {
  images: InstallImage[];
  moreImages: number;
  registries: InstallRegistry[];
  hosts: string[];
  appSlug: string;
  appId: string;
  canWrite: boolean;
};

/** The reference of an image on another proxy host than the default. */
function onHost(image: InstallImage, host: string, appSlug: string): string {
  return `${host}/proxy/${appSlug}/${image.segment}/${image.repository}`;
}

/** Every image the license covers: its reference through the proxy, its tags and a docker pull line, each copyable. */
export function InstallImages({ images, moreImages, registries, hosts, appSlug, appId, canWrite }: Props) {
  const [host, setHost] = React.useState(hosts[0] ?? "");
  const problems = registries.filter((r) => r.problem);
  const unlisted = registries.filter((r) => r.segment && r.source === "listed");

  return (
    <div className="grid gap-4">
      <ProxyHostSelect hosts={hosts} value={host} onChange={setHost} className="sm:max-w-sm" />

      {problems.map((r) => (
        <p key={r.id} role="status" className="flex items-start gap-2 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden />
          <span>
            {r.problem}{" "}
            {canWrite ? (
              <Link className="font-medium underline underline-offset-2" href={`/settings/registries/${r.id}/edit`}>
                Add an alias
              </Link>
            ) : null}
          </span>
        </p>
      ))}

      {images.length === 0 ? (
        <EmptyState icon={Boxes} title={registries.length === 0 ? "No registry linked for this app" : "No images known yet"} className="py-8">
          {registries.length === 0 ? (
            <>
              Link the registry your images live in{canWrite ? <> in <Link className="underline" href="/settings/registries">Settings → Registries</Link></> : null}; its images show up here.
            </>
          ) : unlisted.length > 0 ? (
            <>
              {unlisted.map((r) => r.name ?? r.endpoint).join(", ")} {unlisted.length === 1 ? "does" : "do"} not list {unlisted.length === 1 ? "its" : "their"} repositories:{" "}
              <Link className="underline" href={`/apps/${appId}#images`}>
                list the app&apos;s repositories on the app page
              </Link>
              .
            </>
          ) : (
            "None of the app's images match this license's image patterns."
          )}
        </EmptyState>
      ) : (
        <ul className="grid gap-3" aria-label="Images">
          {images.map((image) => (
            <InstallImageItem key={`${image.registryId}/${image.repository}`} image={image} reference={onHost(image, host, appSlug)} />
          ))}
        </ul>
      )}
      {moreImages > 0 ? (
        <p className="text-sm text-zinc-500">
          And {moreImages} more {moreImages === 1 ? "image" : "images"} this license covers (the first {images.length} are listed). Narrow the license&apos;s image
          patterns, or rewrite any of them below.
        </p>
      ) : null}
    </div>
  );
}

function InstallImageItem({ image, reference }: { image: InstallImage; reference: string }) {
  const [tag, setTag] = React.useState(image.tag ?? "");
  const pull = tag ? `docker pull ${reference}:${tag}` : null;
  const name = `${image.segment}/${image.repository}`;
  return (
    <li className="grid gap-2.5 rounded-lg border border-zinc-200 p-3 sm:p-4" data-testid="install-image" data-image={name}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span className="min-w-0 break-all font-mono text-sm font-medium text-zinc-900">{name}</span>
        {image.tags.length > 1 ? (
          <label className="flex items-center gap-2 text-xs text-zinc-500">
            Tag
            <Select aria-label={`Tag of ${name}`} value={tag} onChange={(e) => setTag(e.target.value)} className="h-8 w-auto min-w-24 py-0 text-xs">
              {image.tags.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </Select>
          </label>
        ) : null}
      </div>
      <div className="flex min-w-0 items-center gap-1 rounded-md border border-zinc-200 bg-zinc-50 py-1 pl-3 pr-1">
        <code className="min-w-0 flex-1 break-all font-mono text-[13px] text-zinc-800" data-testid="image-reference">
          {reference}
        </code>
        <CopyButton value={reference} label={`Copy reference of ${name}`} />
      </div>
      {pull ? (
        <CodeBlock code={pull} copyLabel={`Copy docker pull for ${name}`} className="[&_pre]:whitespace-pre-wrap [&_pre]:break-all [&_pre]:pr-11" />
      ) : (
        <p className="text-sm text-zinc-500">No tags found yet: add a tag to the reference above.</p>
      )}
      {image.tagsError ? <p className="text-xs text-amber-800">Tags could not be refreshed: {image.tagsError}</p> : null}
      {image.tagsTruncated ? <p className="text-xs text-zinc-500">Showing the first {image.tags.length} tags.</p> : null}
    </li>
  );
}
