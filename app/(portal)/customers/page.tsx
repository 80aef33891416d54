import type { Metadata } from "next";
import { Suspense } from "react";
import Link from "next/link";
import { Plus } from "lucide-react";
import { CustomerList } from "@/components/customers/customer-list";
import { Button } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { canWrite } from "@/lib/auth/actor";
import { requireSessionActor } from "@/lib/auth/session";
import { listApps } from "@/lib/apps/list-apps";

export const metadata: Metadata = { title: "Customers · Pullgate" };

export default async function CustomersPage() {
  const actor = await requireSessionActor();
  const apps = await listApps(actor);
  const writable = canWrite(actor);
  return (
    <>
      <PageHeader
        title="Customers"
        description="Everyone you license: each customer's license ID is the password their cluster pulls your images with."
        actions={
          writable && apps.length > 0 ? (
            <Button asChild>
              <Link href="/customers/new">
                <Plus aria-hidden />
                New customer
              </Link>
            </Button>
          ) : null
        }
      />
      <Suspense>
        <CustomerList apps={apps.map((a) => ({ id: a.id, name: a.name }))} canWrite={writable} />
      </Suspense>
    </>
  );
}
