import Link from "next/link";
import { Boxes } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import type { InstallInstructions } from "@/lib/customers/get-install-instructions";

const SHOWN_TAGS = 8;

/**
 * The images (and tags) this customer may pull: the app's catalog filtered by
 * the license through the proxy's own decision, the same list the install
 * page hands out. The page passes the instructions already being read
 * (installInstructionsFor), so they load while the rest of the page does.
 */
export async function MayPull({ customerId, instructions }: { customerId: string; instructions: Promise<InstallInstructions> }) {
  const install = await instructions;
  return (
    <Card>
      <CardHeader className="flex flex-row items-start justify-between gap-4">
        <div className="grid gap-1">
          <CardTitle>May pull</CardTitle>
          <CardDescription>
            {install.mayPull
              ? "The images and tags of the app's registries this license allows, as the proxy decides them."
              : `Nothing right now: ${install.refusal}. Once access is restored, the license covers these images.`}
          </CardDescription>
        </div>
        <Link className="shrink-0 text-sm font-medium text-zinc-900 underline-offset-4 hover:underline" href={`/customers/${customerId}/install`}>
          Install instructions
        </Link>
      </CardHeader>
      <CardContent className="p-0">
        {install.images.length === 0 ? (
          <EmptyState icon={Boxes} title="No images known" className="m-5 py-8">
            {install.registries.length === 0 ? (
              "No registry is linked for this app yet."
            ) : (
              <>
                None of the app&apos;s known images match this license, or the registries do not list their repositories:{" "}
                <Link className="underline" href={`/apps/${install.appId}#images`}>
                  see the app&apos;s images
                </Link>
                .
              </>
            )}
          </EmptyState>
        ) : (
          <ul className="divide-y divide-zinc-100" aria-label="Images this license may pull" data-testid="may-pull">
            {install.images.map((image) => {
              const name = `${image.segment}/${image.repository}`;
              return (
                <li key={name} className="grid gap-1.5 px-4 py-3 sm:grid-cols-[minmax(0,16rem)_1fr] sm:gap-4 sm:px-5" data-testid="may-pull-image" data-image={name}>
                  <span className={`min-w-0 break-all font-mono text-[13px] ${install.mayPull ? "text-zinc-900" : "text-zinc-500 line-through"}`}>{name}</span>
                  <span className="flex min-w-0 flex-wrap gap-1">
                    {image.tags.slice(0, SHOWN_TAGS).map((tag) => (
                      <Badge key={tag} variant="outline" className="font-mono" data-testid="may-pull-tag">
                        {tag}
                      </Badge>
                    ))}
                    {image.tags.length > SHOWN_TAGS ? <Badge variant="neutral">+{image.tags.length - SHOWN_TAGS} more</Badge> : null}
                    {image.tags.length === 0 ? <span className="text-xs text-zinc-500">{image.tagsError ?? "No tags"}</span> : null}
                  </span>
                </li>
              );
            })}
          </ul>
        )}
        {install.moreImages > 0 ? <p className="border-t border-zinc-100 px-5 py-3 text-sm text-zinc-500">And {install.moreImages} more.</p> : null}
      </CardContent>
    </Card>
  );
}
