import type { Metadata } from "next";
import { ReadOnlyNotice } from "@/components/portal/read-only-notice";
import { WebhookForm } from "@/components/webhooks/webhook-form";
import { DeleteWebhookButton, RedeliverButton, SendTestEventButton } from "@/components/webhooks/webhook-actions";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { orNotFound } from "@/lib/actions/or-not-found";
import { canWrite } from "@/lib/auth/actor";
import { requireSessionActor } from "@/lib/auth/session";
import { getWebhook } from "@/lib/webhooks/manage-webhooks";
import { listWebhookDeliveries } from "@/lib/webhooks/webhook-deliveries";
import { formatDateTime } from "@/lib/utils/format-date";

export const metadata: Metadata = { title: "Webhook · Pullgate" };

const STATUS_VARIANT = { succeeded: "success", failed: "danger", pending: "warning", delivering: "info" } as const;

export default async function WebhookPage({ params }: { params: Promise<{ webhookId: string }> }) {
  const actor = await requireSessionActor();
  const { webhookId } = await params;
  const webhook = await orNotFound(getWebhook(actor, webhookId));
  const deliveries = await listWebhookDeliveries(actor, webhook.id, 100);
  const writable = canWrite(actor);

  return (
    <>
      <PageHeader
        title={webhook.url}
        description="Deliveries of the last 30 days, newest first. A message keeps its webhook-id on every attempt and redelivery."
        actions={
          writable ? (
            <>
              <SendTestEventButton id={webhook.id} />
              <DeleteWebhookButton id={webhook.id} url={webhook.url} />
            </>
          ) : null
        }
      />
      {!writable ? <ReadOnlyNotice /> : null}
      <div className="space-y-6">
        <Card>
          <Table>
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead>Event</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>Response</TableHead>
                <TableHead>Attempts</TableHead>
                <TableHead className="hidden md:table-cell">Queued</TableHead>
                {writable ? <TableHead className="text-right"><span className="sr-only">Redeliver</span></TableHead> : null}
              </TableRow>
            </TableHeader>
            <TableBody>
              {deliveries.length === 0 ? (
                <TableRow>
                  <TableCell colSpan={6} className="text-sm text-zinc-500">
                    No deliveries yet.
                  </TableCell>
                </TableRow>
              ) : (
                deliveries.map((d) => (
                  <TableRow key={d.id}>
                    <TableCell>
                      <code className="font-mono text-xs">{d.event.type}</code>
                      <span className="block font-mono text-xs text-zinc-500">{d.eventId}</span>
                    </TableCell>
                    <TableCell>
                      <Badge variant={STATUS_VARIANT[d.status]}>{d.status}</Badge>
                      {d.status === "pending" && d.attempts > 0 ? (
                        <span className="block text-xs text-zinc-500">next try {formatDateTime(d.nextAttemptAt)}</span>
                      ) : null}
                    </TableCell>
                    <TableCell className="text-sm">
                      {d.responseStatus ?? "—"}
                      {d.lastError ? <span className="block text-xs text-zinc-500">{d.lastError}</span> : null}
                    </TableCell>
                    <TableCell>{d.attempts}</TableCell>
                    <TableCell className="hidden md:table-cell">{formatDateTime(d.createdAt)}</TableCell>
                    {writable ? (
                      <TableCell className="text-right">
                        <RedeliverButton id={webhook.id} deliveryId={d.id} />
                      </TableCell>
                    ) : null}
                  </TableRow>
                ))
              )}
            </TableBody>
          </Table>
        </Card>
        {writable ? (
          <Card className="p-6">
            <h2 className="mb-4 text-base font-semibold text-zinc-900">Endpoint</h2>
            <WebhookForm webhook={{ id: webhook.id, url: webhook.url, events: webhook.events }} />
          </Card>
        ) : null}
      </div>
    </>
  );
}
