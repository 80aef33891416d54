import type { Metadata } from "next";
import Link from "next/link";
import { ReadOnlyNotice } from "@/components/portal/read-only-notice";
import { RegistryForm } from "@/components/registries/registry-form";
import { PageHeader } from "@/components/ui/page-header";
import { canWrite } from "@/lib/auth/actor";
import { requireSessionActor } from "@/lib/auth/session";
import { orNotFound } from "@/lib/actions/or-not-found";
import { listApps } from "@/lib/apps/list-apps";
import { getRegistry } from "@/lib/registries/get-registry";
import { isRegistrySecretReadable } from "@/lib/registries/registry-secret-readable";
import { SecretUnreadableBanner } from "@/components/registries/secret-unreadable-banner";

export const metadata: Metadata = { title: "Edit registry · Pullgate" };

export default async function EditRegistryPage({ params }: { params: Promise<{ registryId: string }> }) {
  const actor = await requireSessionActor();
  const { registryId } = await params;
  const registry = await orNotFound(getRegistry(actor, registryId));
  const [apps, secretReadable] = await Promise.all([listApps(actor), isRegistrySecretReadable(actor, registryId)]);
  return (
    <>
      <PageHeader
        eyebrow={
          <Link href="/settings/registries" className="hover:text-zinc-900">
            Registries
          </Link>
        }
        title={`Edit ${registry.name ?? registry.endpoint}`}
        description="Leave the password blank to keep the stored one; changing the host or username needs it again. Changing the host, username or password runs the connection test again."
      />
      {secretReadable ? null : <SecretUnreadableBanner canEdit={canWrite(actor)} />}
      {canWrite(actor) ? (
        <RegistryForm apps={apps.map((a) => ({ id: a.id, name: a.name }))} registry={registry} />
      ) : (
        <ReadOnlyNotice />
      )}
    </>
  );
}
