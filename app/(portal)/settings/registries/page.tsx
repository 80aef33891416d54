import type { Metadata } from "next";
import Link from "next/link";
import { Container, Plus } from "lucide-react";
import { LastTest } from "@/components/registries/last-test";
import { RegistryActions } from "@/components/registries/registry-actions";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { canWrite } from "@/lib/auth/actor";
import { requireSessionActor } from "@/lib/auth/session";
import { listApps } from "@/lib/apps/list-apps";
import { listRegistries } from "@/lib/registries/list-registries";
import { PROVIDERS } from "@/lib/registries/providers";

export const metadata: Metadata = { title: "Registries · Pullgate" };

export default async function RegistriesPage() {
  const actor = await requireSessionActor();
  const [registries, apps] = await Promise.all([listRegistries(actor), listApps(actor)]);
  const appNames = new Map(apps.map((app) => [app.id, app.name]));
  const writable = canWrite(actor);
  const linkButton = writable ? (
    <Button asChild>
      <Link href="/settings/registries/new">
        <Plus aria-hidden />
        Link registry
      </Link>
    </Button>
  ) : null;

  return (
    <>
      <PageHeader
        title="Registries"
        description="The private registries your images live in. Pullgate pulls from them with read-only credentials on behalf of licensed customers; the credentials are encrypted and never shown again."
        actions={registries.length > 0 ? linkButton : null}
      />
      {registries.length === 0 ? (
        <EmptyState icon={Container} title="No registries linked" action={linkButton}>
          {writable
            ? "Link Docker Hub, GHCR, Quay, ECR, Artifact Registry or any other registry to serve its images through Pullgate."
            : "Your role is read-only: an owner or admin of this team links registries."}
        </EmptyState>
      ) : (
        <ul className="grid gap-4" aria-label="Linked registries">
          {registries.map((registry) => {
            const label = registry.name ?? registry.endpoint;
            const access = registry.allApps
              ? "All apps"
              : (registry.appIds ?? []).map((id) => appNames.get(id) ?? id).join(", ") || "No apps";
            return (
              <li key={registry.id} data-testid="registry-item">
                <Card>
                  <CardContent className="grid items-start gap-4 pt-5 md:grid-cols-[1fr_auto]">
                    <div className="grid min-w-0 gap-2">
                      <div className="flex flex-wrap items-center gap-2">
                        <h2 className="truncate text-[15px] font-semibold text-zinc-900">{label}</h2>
                        <Badge variant="outline">{PROVIDERS[registry.provider].label}</Badge>
                        {registry.allowHttp ? <Badge variant="warning">Plain HTTP allowed</Badge> : null}
                      </div>
                      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
                        <dt className="text-zinc-500">Host</dt>
                        <dd className="min-w-0 break-all font-mono text-[13px] md:truncate" title={registry.endpoint}>
                          {registry.endpoint}
                        </dd>
                        {registry.username ? (
                          <>
                            <dt className="text-zinc-500">Username</dt>
                            <dd className="truncate font-mono text-[13px]">{registry.username}</dd>
                          </>
                        ) : null}
                        <dt className="text-zinc-500">Apps</dt>
                        <dd>{access}</dd>
                        <dt className="text-zinc-500">Last test</dt>
                        <dd>
                          <LastTest registry={registry} />
                        </dd>
                      </dl>
                    </div>
                    {writable ? <RegistryActions registry={{ id: registry.id, label }} /> : null}
                  </CardContent>
                </Card>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
