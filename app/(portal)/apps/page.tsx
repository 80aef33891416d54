import type { Metadata } from "next";
import Link from "next/link";
import { Boxes, Plus } from "lucide-react";
import { AppCards } from "@/components/apps/app-cards";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { canWrite } from "@/lib/auth/actor";
import { requireSessionActor } from "@/lib/auth/session";
import { listApps } from "@/lib/apps/list-apps";

export const metadata: Metadata = { title: "Apps · Pullgate" };

export default async function AppsPage() {
  const actor = await requireSessionActor();
  const apps = await listApps(actor);
  const writable = canWrite(actor);
  const newButton = writable ? (
    <Button asChild>
      <Link href="/apps/new">
        <Plus aria-hidden />
        New app
      </Link>
    </Button>
  ) : null;

  return (
    <>
      <PageHeader
        title="Apps"
        description="An app groups the images you ship together. Customers belong to one app; its slug is part of every image path."
        actions={apps.length > 0 ? newButton : null}
      />
      {apps.length === 0 ? (
        <EmptyState icon={Boxes} title="No apps yet" action={newButton}>
          {writable
            ? "Create an app for the product you ship, then add customers to it: each gets a license ID to pull your images with."
            : "Your role is read-only: an owner or admin of this team creates apps."}
        </EmptyState>
      ) : (
        <AppCards apps={apps.map((a) => ({ id: a.id, name: a.name, slug: a.slug, customerCount: a.customerCount, createdAt: a.createdAt.toISOString() }))} />
      )}
    </>
  );
}
