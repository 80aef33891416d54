import type { Metadata } from "next";
import { Suspense } from "react";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Plus } from "lucide-react";
import { DeleteAppButton, RenameAppDialog } from "@/components/apps/app-admin-actions";
import { AppImages } from "@/components/apps/app-images";
import { Skeleton } from "@/components/ui/skeleton";
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
      <div className="mt-8">
        <Suspense fallback={<Skeleton className="h-40" aria-label="Reading the app's images from its registries" />}>
          <AppImages actor={actor} appId={app.id} canWrite={writable} />
        </Suspense>
      </div>
    </>
  );
}
