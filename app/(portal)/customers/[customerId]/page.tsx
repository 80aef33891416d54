import type { Metadata } from "next";
import { Suspense } from "react";
import Link from "next/link";
import { Archive, FileKey, Pencil } from "lucide-react";
import { ArchiveButton, ARCHIVE_EXPLANATION, RegistryAccessSwitch } from "@/components/customers/customer-controls";
import { CustomerHeader } from "@/components/customers/customer-header";
import { CustomerPulls, loadCustomerPulls } from "@/components/pulls/customer-pulls";
import { LicenseId } from "@/components/customers/license-id";
import { MayPull } from "@/components/customers/may-pull";
import { Skeleton } from "@/components/ui/skeleton";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { canWrite } from "@/lib/auth/actor";
import { requireSessionActor } from "@/lib/auth/session";
import { orNotFound } from "@/lib/actions/or-not-found";
import { getApp } from "@/lib/apps/get-app";
import { entitlementProblems, readEntitlementSchema, type Entitlements } from "@/lib/apps/entitlement-schema";
import { getCustomer } from "@/lib/customers/get-customer";
import { installInstructionsFor } from "@/lib/customers/get-install-instructions";
import { getLicenseStatus } from "@/lib/licenses/license-status";
import { formatDate, formatDateTime } from "@/lib/utils/format-date";

export const metadata: Metadata = { title: "Customer · Pullgate" };

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid gap-1 py-3 sm:grid-cols-[10rem_1fr] sm:gap-4">
      <dt className="text-sm text-zinc-500">{label}</dt>
      <dd className="min-w-0 text-sm text-zinc-900">{children}</dd>
    </div>
  );
}

export default async function CustomerPage({ params }: { params: Promise<{ customerId: string }> }) {
  const actor = await requireSessionActor();
  const { customerId } = await params;
  // Started first: team-scoped, so for a customer of another team (a 404 below) they find nothing.
  const pulls = loadCustomerPulls(actor, customerId);
  pulls.catch(() => {}); // awaited by CustomerPulls; not when the page turns out a 404
  const customer = await orNotFound(getCustomer(actor, customerId));
  const instructions = installInstructionsFor(actor, customer);
  instructions.catch(() => {}); // awaited by MayPull; not when getApp fails
  const app = await getApp(actor, customer.appId);
  const entitlementFlags = entitlementProblems(readEntitlementSchema(app.entitlementSchema), (customer.license.entitlements ?? {}) as Entitlements);
  const { license } = customer;
  const status = getLicenseStatus({ expiresAt: license.expiresAt, registryAccess: license.registryAccess, archivedAt: customer.archivedAt });
  const writable = canWrite(actor);
  const archived = customer.archivedAt !== null;
  const entitlements = Object.entries((license.entitlements ?? {}) as Record<string, string | number | boolean>);

  return (
    <>
      <CustomerHeader
        customer={customer}
        app={app}
        status={status}
        active="overview"
        actions={
          <>
            {/* A plain link: the browser downloads the signed file (Content-Disposition). */}
            <Button variant="secondary" asChild>
              <a href={`/api/portal/customers/${customer.id}/license-file`} download>
                <FileKey aria-hidden />
                Download license file
              </a>
            </Button>
            {writable ? (
            <>
              <Button variant="secondary" asChild>
                <Link href={`/customers/${customer.id}/edit`}>
                  <Pencil aria-hidden />
                  Edit
                </Link>
              </Button>
              <ArchiveButton customerId={customer.id} archived={archived} name={customer.name} />
            </>
            ) : null}
          </>
        }
      />

      {archived ? (
        <div role="status" className="mb-6 flex items-start gap-2.5 rounded-lg border border-zinc-300 bg-zinc-100 px-4 py-3 text-sm text-zinc-700">
          <Archive className="mt-0.5 size-4 shrink-0" aria-hidden />
          <p>
            Archived on {formatDateTime(customer.archivedAt)}. Pulls with this license are refused. {writable ? "Unarchive to restore access." : null}
          </p>
        </div>
      ) : null}

      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <CardHeader>
            <CardTitle>License</CardTitle>
            <CardDescription>The license ID is the customer&apos;s registry password. Share it only with them.</CardDescription>
          </CardHeader>
          <CardContent className="py-1">
            <dl className="divide-y divide-zinc-100">
              <Row label="License ID">
                <LicenseId value={license.licenseId} />
              </Row>
              <Row label="Status">
                <span className="block">{status.mayPull ? "May pull" : `Pulls refused: ${status.reason}`}</span>
              </Row>
              <Row label="Expires">{license.expiresAt ? formatDateTime(license.expiresAt) : "Never"}</Row>
              <Row label="Registry access">
                {writable ? (
                  <div className="flex items-center gap-3">
                    <RegistryAccessSwitch customerId={customer.id} registryAccess={license.registryAccess} />
                    <span data-testid="registry-access-state">{license.registryAccess ? "On" : "Off"}</span>
                  </div>
                ) : (
                  <span data-testid="registry-access-state">{license.registryAccess ? "On" : "Off"}</span>
                )}
              </Row>
              <Row label="Image patterns">
                {license.imagePatterns.length === 0 ? (
                  <span className="text-zinc-500">Every image of the app</span>
                ) : (
                  <div className="flex flex-wrap gap-1.5">
                    {license.imagePatterns.map((p) => (
                      <Badge key={p} variant="outline" className="font-mono">
                        {p}
                      </Badge>
                    ))}
                  </div>
                )}
              </Row>
              <Row label="Entitlements">
                {entitlements.length === 0 ? (
                  <span className="text-zinc-500">None</span>
                ) : (
                  <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
                    {entitlements.map(([key, value]) => (
                      <div key={key} className="contents">
                        <dt className="font-mono text-[13px] text-zinc-500">{key}</dt>
                        <dd className="break-all font-mono text-[13px]">{String(value)}</dd>
                      </div>
                    ))}
                  </dl>
                )}
                {entitlementFlags.length > 0 ? (
                  <div role="status" className="mt-2 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-[13px] text-amber-900">
                    <p className="font-medium">Does not fit the app&apos;s entitlement schema (kept as it is):</p>
                    <ul className="list-disc pl-5">
                      {entitlementFlags.map((f) => (
                        <li key={f.path}>
                          <span className="font-mono">{f.path.replace(/^entitlements\./, "")}</span>: {f.message}
                        </li>
                      ))}
                    </ul>
                  </div>
                ) : null}
              </Row>
            </dl>
          </CardContent>
        </Card>

        <div className="grid content-start gap-6">
          <Card>
            <CardHeader>
              <CardTitle>Details</CardTitle>
            </CardHeader>
            <CardContent className="py-1">
              <dl className="divide-y divide-zinc-100 [&>div]:sm:grid-cols-[6rem_1fr]">
                <Row label="App">
                  <Link href={`/apps/${app.id}`} className="hover:underline">
                    {app.name}
                  </Link>
                </Row>
                <Row label="Email">{customer.email ?? <span className="text-zinc-500">—</span>}</Row>
                <Row label="Custom ID">{customer.customId ?? <span className="text-zinc-500">—</span>}</Row>
                <Row label="Type">
                  <span className="capitalize">{customer.type}</span>
                </Row>
                <Row label="Channel">{customer.channel ?? <span className="text-zinc-500">—</span>}</Row>
                <Row label="Created">{formatDate(customer.createdAt)}</Row>
              </dl>
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>{archived ? "Archived" : "Archive"}</CardTitle>
              <CardDescription>{ARCHIVE_EXPLANATION}</CardDescription>
            </CardHeader>
          </Card>
        </div>
      </div>

      <div className="mt-6 grid grid-cols-[minmax(0,1fr)] gap-6">
        <Suspense fallback={<Skeleton className="h-40" aria-label="Reading the images this license may pull" />}>
          <MayPull customerId={customer.id} instructions={instructions} />
        </Suspense>
        <CustomerPulls customerId={customer.id} data={pulls} />
      </div>
    </>
  );
}
