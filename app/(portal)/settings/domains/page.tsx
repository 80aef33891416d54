import type { Metadata } from "next";
import { Globe } from "lucide-react";
import { AddDomainForm } from "@/components/domains/add-domain-form";
import { DomainCard } from "@/components/domains/domain-card";
import { ReadOnlyNotice } from "@/components/portal/read-only-notice";
import { Card, CardContent } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { canWrite } from "@/lib/auth/actor";
import { requireSessionActor } from "@/lib/auth/session";
import { listApps } from "@/lib/apps/list-apps";
import { listDomains } from "@/lib/domains/list-domains";
import { toDomainDto } from "@/lib/domains/domain-dto";
import { defaultProxyHostName } from "@/lib/domains/host-name";

export const metadata: Metadata = { title: "Custom domains · Pullgate" };

export default async function DomainsPage() {
  const actor = await requireSessionActor();
  const [domains, apps] = await Promise.all([listDomains(actor), listApps(actor)]);
  const appNames = new Map(apps.map((app) => [app.id, app.name]));
  const writable = canWrite(actor);

  return (
    <>
      <PageHeader
        title="Custom domains"
        description={`Let customers pull from your own host (registry.acme.com) instead of ${defaultProxyHostName()}. Pull secrets and install snippets use your default domain first.`}
      />
      {writable ? (
        <Card className="mb-6">
          <CardContent className="pt-5">
            <AddDomainForm apps={apps.map((app) => ({ id: app.id, name: app.name }))} />
          </CardContent>
        </Card>
      ) : (
        <div className="mb-6">
          <ReadOnlyNotice />
        </div>
      )}
      {domains.length === 0 ? (
        <EmptyState icon={Globe} title="No custom domains">
          {writable
            ? "Add a host name above; Pullgate then shows the CNAME and TXT records to create at your DNS provider."
            : "An owner or admin of this team adds custom domains."}
        </EmptyState>
      ) : (
        <ul className="grid gap-4" aria-label="Custom domains">
          {domains.map((domain) => (
            <li key={domain.id}>
              <DomainCard domain={toDomainDto(domain)} appName={domain.appId ? (appNames.get(domain.appId) ?? null) : null} writable={writable} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
