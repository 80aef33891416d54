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
import { listCustomerPage } from "@/lib/customers/list-customer-page";
import { listCustomersPageQuerySchema } from "@/lib/customers/list-page-query";
import { customerListQuery } from "@/components/customers/customer-list-query";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export const metadata: Metadata = { title: "Customers · Pullgate" };

export default async function CustomersPage({ searchParams }: { searchParams: SearchParams }) {
  const actor = await requireSessionActor();
  const params = await searchParams;
  // The rows of the URL's page are read here and sent with the HTML; a query the
  // API would refuse is left to the list, which shows its message.
  const { apiParams, apiQuery } = customerListQuery((k) => {
    const v = params[k];
    return Array.isArray(v) ? v[0] : v;
  });
  const parsed = listCustomersPageQuerySchema.safeParse(Object.fromEntries(apiParams));
  const [apps, firstPage] = await Promise.all([listApps(actor), parsed.success ? listCustomerPage(actor, parsed.data) : null]);
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
        <CustomerList apps={apps.map((a) => ({ id: a.id, name: a.name }))} canWrite={writable} initialPage={firstPage ? { query: apiQuery, data: firstPage } : undefined} />
      </Suspense>
    </>
  );
}
