"use client";

import { useRouter } from "next/navigation";
import { deleteWebhookAction, redeliverAction, sendTestEventAction } from "@/app/(portal)/settings/webhooks/actions";
import { ConfirmDialog } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toaster";

export function SendTestEventButton({ id }: { id: string }) {
  const router = useRouter();
  return (
    <Button
      variant="secondary"
      onClick={async () => {
        const result = await sendTestEventAction(id);
        if (!result.ok) return void toast.error(result.message);
        toast.success("Test event queued.");
        router.refresh();
      }}
    >
      Send test event
    </Button>
  );
}

export function RedeliverButton({ id, deliveryId }: { id: string; deliveryId: string }) {
  const router = useRouter();
  return (
    <Button
      variant="ghost"
      size="sm"
      onClick={async () => {
        const result = await redeliverAction(id, deliveryId);
        if (!result.ok) return void toast.error(result.message);
        toast.success("Queued again.");
        router.refresh();
      }}
    >
      Redeliver
    </Button>
  );
}

export function DeleteWebhookButton({ id, url }: { id: string; url: string }) {
  const router = useRouter();
  return (
    <ConfirmDialog
      trigger={
        <Button variant="ghost" className="text-red-700 hover:text-red-800">
          Delete
        </Button>
      }
      title="Delete this webhook?"
      description={`${url} receives no more events; its delivery log is deleted with it.`}
      confirmLabel="Delete webhook"
      destructive
      onConfirm={async () => {
        const result = await deleteWebhookAction(id);
        if (!result.ok) {
          toast.error(result.message);
          throw new Error(result.message);
        }
        toast.success("Webhook deleted.");
        router.push("/settings/webhooks");
        router.refresh();
      }}
    />
  );
}
