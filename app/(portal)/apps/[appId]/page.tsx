import type { Metadata } from "next";
import { Suspense } from "react";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Plus } from "lucide-react";
import { DeleteAppButton, RenameAppDialog } from "@/components/apps/app-admin-actions";
import { AppImages } from "@/components/apps/app-images";
import { Skeleton } from "@/components/ui/skeleton";
import { Card } from "@/components/ui/card";
import { EntitlementSchemaEditor } from "@/components/apps/entitlement-schema-editor";
import { getEntitlementSchema } from "@/lib/apps/entitlement-schema-admin";
import { CustomerList } from "@/components/customers/customer-list";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { PageHeader } from "@/components/ui/page-header";
import { canWrite } from "@/lib/auth/actor";
import { requireSessionActor } from "@/lib/auth/session";
import { listApps } from "@/lib/apps/list-apps";
import { config } from "@/lib/config";
import { proxyHostsForApp } from "@/lib/customers/get-customer-pull-secret";
import { formatDate } from "@/lib/utils/format-date";

export const metadata: Metadata = { title: "App · Pullgate" };

export default async function AppPage({ params }: { params: Promise<{ appId: string }> }) {
  const actor = await requireSessionActor();
  const { appId } = await params;
  // The team's list already carries the customer count; another team's (or a missing) app is a 404.
  const app = (await listApps(actor)).find((a) => a.id === appId) ?? notFound();
  const writable = canWrite(actor);
  const summary = { id: app.id, name: app.name, slug: app.slug, customerCount: app.customerCount };
  // The team's default custom domain when it has one, else PROXY_PUBLIC_HOST.
  const [host = config.proxyPublicHost] = await proxyHostsForApp(actor.teamId, app.id);
  const pathPrefix = `${host}/proxy/${app.slug}/`;
  const schema = await getEntitlementSchema(actor, app.id);

  return (
    <>
      <PageHeader
        eyebrow={
          <Link href="/apps" className="hover:text-zinc-900">
            Apps
          </Link>
        }
        title={app.name}
        description={
          <span className="flex flex-wrap items-center gap-x-1.5 gap-y-1">
            Images pull from <code className="break-all rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs text-zinc-800">{pathPrefix}…</code>
            <CopyButton value={pathPrefix} label="Copy image path prefix" />
            <span>· created {formatDate(app.createdAt)}</span>
          </span>
        }
        actions={
          writable ? (
            <>
              <RenameAppDialog app={summary} />
              <DeleteAppButton app={summary} />
              <Button asChild>
                <Link href={`/customers/new?appId=${app.id}`}>
                  <Plus aria-hidden />
                  New customer
                </Link>
              </Button>
            </>
          ) : null
        }
      />
      {writable && app.customerCount > 0 ? (
        <p className="-mt-3 mb-4 text-xs text-zinc-500">Apps with customers (archived ones included) cannot be deleted.</p>
      ) : null}
      <h2 className="mb-3 text-base font-semibold text-zinc-900">Customers</h2>
      <Suspense>
        <CustomerList apps={[{ id: app.id, name: app.name }]} fixedAppId={app.id} canWrite={writable} />
      </Suspense>
      <section className="mt-8" aria-labelledby="entitlement-schema-heading">
        <h2 id="entitlement-schema-heading" className="mb-1 text-base font-semibold text-zinc-900">
          Entitlement schema
        </h2>
        <p className="mb-3 text-sm text-zinc-500">
          The entitlements this app&apos;s licenses carry. New and changed values must fit; values saved before a change that no longer fit are kept and flagged.
        </p>
        <Card className="p-4">
          <EntitlementSchemaEditor key={JSON.stringify(schema.fields)} appId={app.id} fields={schema.fields} canWrite={writable} />
          {schema.nonconforming.length > 0 ? (
            <div role="status" className="mt-4 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
              <p className="font-medium">Customers whose entitlements do not fit the schema ({schema.nonconforming.length === 100 ? "first 100" : schema.nonconforming.length}):</p>
              <ul className="mt-1 list-disc pl-5">
                {schema.nonconforming.map((c) => (
                  <li key={c.customerId}>
                    <Link href={`/customers/${c.customerId}`} className="underline">
                      {c.name}
                    </Link>
                    : {c.issues.map((i) => `${i.path.replace(/^entitlements\./, "")} — ${i.message}`).join("; ")}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </Card>
      </section>
      <div className="mt-8">
        <Suspense fallback={<Skeleton className="h-40" aria-label="Reading the app's images from its registries" />}>
          <AppImages actor={actor} appId={app.id} canWrite={writable} />
        </Suspense>
      </div>
    </>
  );
}
