import type { Metadata } from "next";
import Link from "next/link";
import { Boxes } from "lucide-react";
import { CustomerForm } from "@/components/customers/customer-form";
import { ReadOnlyNotice } from "@/components/portal/read-only-notice";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { canWrite } from "@/lib/auth/actor";
import { requireSessionActor } from "@/lib/auth/session";
import { listApps } from "@/lib/apps/list-apps";
import { listEntitlementSchemas } from "@/lib/apps/entitlement-schema-admin";

export const metadata: Metadata = { title: "New customer · Pullgate" };

export default async function NewCustomerPage({ searchParams }: { searchParams: Promise<{ appId?: string | string[] }> }) {
  const actor = await requireSessionActor();
  const apps = await listApps(actor);
  const wanted = (await searchParams).appId;
  const defaultAppId = apps.find((a) => a.id === wanted)?.id;
  return (
    <>
      <PageHeader
        eyebrow={
          <Link href="/customers" className="hover:text-zinc-900">
            Customers
          </Link>
        }
        title="New customer"
        description="Creating a customer issues their license ID: the password their cluster pulls your images with."
      />
      {!canWrite(actor) ? (
        <ReadOnlyNotice />
      ) : apps.length === 0 ? (
        <EmptyState
          icon={Boxes}
          title="Create an app first"
          action={
            <Button asChild>
              <Link href="/apps/new">Create an app</Link>
            </Button>
          }
        >
          Customers belong to an app: the app decides which images their license can pull.
        </EmptyState>
      ) : (
        <CustomerForm apps={apps.map((a) => ({ id: a.id, name: a.name }))} defaultAppId={defaultAppId} entitlementSchemas={await listEntitlementSchemas(actor)} />
      )}
    </>
  );
}
