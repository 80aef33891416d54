import type { Metadata } from "next";
import Link from "next/link";
import { CreateAppForm } from "@/components/apps/create-app-form";
import { Card, CardContent } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { canWrite } from "@/lib/auth/actor";
import { requireSessionActor } from "@/lib/auth/session";
import { config } from "@/lib/config";
import { ReadOnlyNotice } from "@/components/portal/read-only-notice";

export const metadata: Metadata = { title: "New app · Pullgate" };

export default async function NewAppPage() {
  const actor = await requireSessionActor();
  const readOnly = !canWrite(actor);
  return (
    <>
      <PageHeader
        eyebrow={
          <Link href="/apps" className="hover:text-zinc-900">
            Apps
          </Link>
        }
        title="New app"
        description="One app per product you ship. Customers of the app pull its images through Pullgate with their license ID."
      />
      {readOnly ? (
        <ReadOnlyNotice />
      ) : (
        <Card>
          <CardContent className="py-6">
            <CreateAppForm proxyHost={config.proxyPublicHost} />
          </CardContent>
        </Card>
      )}
    </>
  );
}
