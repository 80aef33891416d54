import type { Metadata } from "next";
import Link from "next/link";
import { CustomerForm } from "@/components/customers/customer-form";
import { ReadOnlyNotice } from "@/components/portal/read-only-notice";
import { PageHeader } from "@/components/ui/page-header";
import { canWrite } from "@/lib/auth/actor";
import { requireSessionActor } from "@/lib/auth/session";
import { orNotFound } from "@/lib/actions/or-not-found";
import { getCustomer } from "@/lib/customers/get-customer";
import { toCustomerDto } from "@/lib/customers/customer-dto";
import { customerEntitlementFlags } from "@/lib/apps/entitlement-schema-admin";

export const metadata: Metadata = { title: "Edit customer · Pullgate" };

export default async function EditCustomerPage({ params }: { params: Promise<{ customerId: string }> }) {
  const actor = await requireSessionActor();
  const { customerId } = await params;
  const customer = await orNotFound(getCustomer(actor, customerId));
  return (
    <>
      <PageHeader
        eyebrow={
          <Link href={`/customers/${customer.id}`} className="hover:text-zinc-900">
            {customer.name}
          </Link>
        }
        title="Edit customer"
        description="Changes to the license take effect on the customer's next pull."
      />
      {canWrite(actor) ? (
        <CustomerForm apps={[]} customer={toCustomerDto(customer)} entitlementFlags={await customerEntitlementFlags(actor, customer.appId, customer.license.entitlements)} />
      ) : (
        <ReadOnlyNotice />
      )}
    </>
  );
}
