import type { Metadata } from "next";
import Link from "next/link";
import { Webhook } from "lucide-react";
import { ReadOnlyNotice } from "@/components/portal/read-only-notice";
import { WebhookForm } from "@/components/webhooks/webhook-form";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { canWrite } from "@/lib/auth/actor";
import { requireSessionActor } from "@/lib/auth/session";
import { listWebhooks } from "@/lib/webhooks/manage-webhooks";
import { formatDate } from "@/lib/utils/format-date";

export const metadata: Metadata = { title: "Webhooks · Pullgate" };

export default async function WebhooksPage() {
  const actor = await requireSessionActor();
  const webhooks = await listWebhooks(actor);
  const writable = canWrite(actor);

  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Pullgate POSTs license and pull events to your endpoints, signed as Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature). Failed deliveries are retried with growing waits for 24 hours."
      />
      {!writable ? <ReadOnlyNotice /> : null}
      <div className="space-y-6">
        {webhooks.length === 0 ? (
          <EmptyState icon={Webhook} title="No webhooks yet">
            {writable ? "Add an endpoint below." : "Owners and admins add endpoints."}
          </EmptyState>
        ) : (
          <Card>
            <Table>
              <TableHeader>
                <TableRow className="hover:bg-transparent">
                  <TableHead>URL</TableHead>
                  <TableHead>Events</TableHead>
                  <TableHead className="hidden md:table-cell">Added</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {webhooks.map((w) => (
                  <TableRow key={w.id}>
                    <TableCell className="max-w-[24rem] truncate">
                      <Link href={`/settings/webhooks/${w.id}`} className="font-medium text-zinc-900 hover:underline">
                        {w.url}
                      </Link>
                    </TableCell>
                    <TableCell className="text-xs text-zinc-600">{w.events.join(", ")}</TableCell>
                    <TableCell className="hidden md:table-cell">{formatDate(w.createdAt)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Card>
        )}
        {writable ? (
          <Card className="p-6">
            <h2 className="mb-4 text-base font-semibold text-zinc-900">Add a webhook</h2>
            <WebhookForm />
          </Card>
        ) : null}
      </div>
    </>
  );
}
