"use client";

import * as React from "react";
import { useRouter } from "next/navigation";
import { TriangleAlert } from "lucide-react";
import { createWebhookAction, updateWebhookAction } from "@/app/(portal)/settings/webhooks/actions";
import { FormAlert } from "@/components/auth/form-alert";
import { SubmitButton } from "@/components/ui/submit-button";
import { Checkbox } from "@/components/ui/checkbox";
import { CodeBlock } from "@/components/ui/code-block";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { webhookEventTypes, type WebhookEventType } from "@/lib/webhooks/schemas";

const EVENT_HELP: Record<WebhookEventType, string> = {
  "license.created": "a customer and its license are created",
  "license.updated": "a license changes (with each changed field's before and after)",
  "license.expiring": "14 and 3 days before a license expires",
  "license.expired": "a license has expired",
  "customer.first_pull": "a customer pulls for the first time",
  "pull.denied": "a customer's pull is refused (at most one per customer every 10 minutes)",
};

/** Add an endpoint (then show its secret once), or change one's URL and events. */
export function WebhookForm({ webhook }: { webhook?: { id: string; url: string; events: string[] } }) {
  const router = useRouter();
  const [url, setUrl] = React.useState(webhook?.url ?? "");
  const [events, setEvents] = React.useState<string[]>(webhook?.events ?? [...webhookEventTypes]);
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [message, setMessage] = React.useState<string>();
  const [secret, setSecret] = React.useState<string | null>(null);
  const [pending, startTransition] = React.useTransition();

  function submit(event: React.FormEvent) {
    event.preventDefault();
    startTransition(async () => {
      const input = { url, events: events as WebhookEventType[] };
      const result = webhook ? await updateWebhookAction(webhook.id, input) : await createWebhookAction(input);
      if (result.ok) {
        setErrors({});
        setMessage(undefined);
        if (!webhook && result.data) {
          setSecret((result.data as { secret: string }).secret);
          setUrl("");
        }
        router.refresh();
        return;
      }
      setErrors(result.fieldErrors);
      setMessage(result.message);
    });
  }

  const eventsError = Object.entries(errors).find(([path]) => path === "events" || path.startsWith("events."))?.[1];

  return (
    <form method="post" onSubmit={submit} noValidate className="grid gap-4" aria-label={webhook ? "Edit webhook" : "Add webhook"}>
      {secret ? (
        <div className="grid gap-2">
          <CodeBlock title="Signing secret" code={secret} copyLabel="Copy signing secret" className="[&_pre]:whitespace-pre-wrap [&_pre]:break-all [&_pre]:pr-12" />
          <p className="flex items-start gap-2 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
            This is the only time the secret is shown. Verify each delivery&apos;s webhook-signature with it (Standard Webhooks).
          </p>
        </div>
      ) : null}
      <FormAlert message={message} />
      <FormField label="URL" error={errors.url} description="Events are POSTed here. Private and loopback addresses are refused unless the installation allows them.">
        <Input value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.com/pullgate-events" maxLength={2000} />
      </FormField>
      <fieldset className="grid gap-2">
        <legend className="mb-1 text-sm font-medium text-zinc-900">Events</legend>
        {webhookEventTypes.map((type) => (
          <div key={type} className="flex items-start gap-2">
            <Checkbox
              id={`event-${type}`}
              checked={events.includes(type)}
              onCheckedChange={(checked) => setEvents((list) => (checked ? [...list, type] : list.filter((t) => t !== type)))}
            />
            <Label htmlFor={`event-${type}`} className="font-normal">
              <code className="font-mono text-xs">{type}</code> <span className="text-zinc-600">— {EVENT_HELP[type]}</span>
            </Label>
          </div>
        ))}
        {eventsError ? (
          <p className="text-sm text-red-700" role="alert">
            {eventsError}
          </p>
        ) : null}
      </fieldset>
      <div>
        <SubmitButton disabled={pending}>
          {pending ? "Saving…" : webhook ? "Save changes" : "Add webhook"}
        </SubmitButton>
      </div>
    </form>
  );
}
