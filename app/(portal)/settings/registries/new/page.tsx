import type { Metadata } from "next";
import Link from "next/link";
import { ReadOnlyNotice } from "@/components/portal/read-only-notice";
import { RegistryForm } from "@/components/registries/registry-form";
import { PageHeader } from "@/components/ui/page-header";
import { canWrite } from "@/lib/auth/actor";
import { requireSessionActor } from "@/lib/auth/session";
import { listApps } from "@/lib/apps/list-apps";

export const metadata: Metadata = { title: "Link registry · Pullgate" };

export default async function NewRegistryPage() {
  const actor = await requireSessionActor();
  const apps = await listApps(actor);
  return (
    <>
      <PageHeader
        eyebrow={
          <Link href="/settings/registries" className="hover:text-zinc-900">
            Registries
          </Link>
        }
        title="Link registry"
        description="Pullgate tests the connection before saving; the password is encrypted and never shown again."
      />
      {canWrite(actor) ? <RegistryForm apps={apps.map((a) => ({ id: a.id, name: a.name }))} /> : <ReadOnlyNotice />}
    </>
  );
}
