"use client";

import * as React from "react";
import { useRouter } from "next/navigation";
import { Plus } from "lucide-react";
import { addDomainAction } from "@/app/(portal)/settings/domains/actions";
import { FormAlert } from "@/components/auth/form-alert";
import { SubmitButton } from "@/components/ui/submit-button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { toast } from "@/components/ui/toaster";

/** Hostname plus an optional app limit; the server validates with the shared schema. */
export function AddDomainForm({ apps }: { apps: { id: string; name: string }[] }) {
  const router = useRouter();
  const [hostname, setHostname] = React.useState("");
  const [appId, setAppId] = React.useState("");
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [message, setMessage] = React.useState<string>();
  const [pending, startTransition] = React.useTransition();

  function submit(event: React.FormEvent) {
    event.preventDefault();
    const submitted = hostname;
    startTransition(async () => {
      const result = await addDomainAction({ hostname: submitted, appId: appId || null });
      if (result.ok) {
        // Keep anything typed while the request was in flight.
        setHostname((current) => (current === submitted ? "" : current));
        setErrors({});
        setMessage(undefined);
        toast.success(`${result.data.hostname} added: create the two DNS records below, then verify.`);
        router.refresh();
        return;
      }
      setErrors(result.fieldErrors);
      setMessage(Object.keys(result.fieldErrors).length ? undefined : result.message);
    });
  }

  return (
    <form method="post" onSubmit={submit} noValidate className="grid gap-4" aria-label="Add a custom domain">
      <FormAlert message={message} />
      <div className="grid items-start gap-4 md:grid-cols-[2fr_1fr_auto]">
        <FormField label="Host name" error={errors.hostname} description="A name you control, e.g. registry.acme.com. Internationalized names are stored as punycode.">
          <Input value={hostname} onChange={(e) => setHostname(e.target.value)} placeholder="registry.acme.com" autoComplete="off" spellCheck={false} maxLength={300} />
        </FormField>
        <FormField label="Apps" error={errors.appId} description="Serve every app, or only one.">
          <Select value={appId} onChange={(e) => setAppId(e.target.value)}>
            <option value="">All apps</option>
            {apps.map((app) => (
              <option key={app.id} value={app.id}>
                {app.name}
              </option>
            ))}
          </Select>
        </FormField>
        <SubmitButton disabled={pending} className="md:mt-5">
          <Plus aria-hidden />
          {pending ? "Adding…" : "Add domain"}
        </SubmitButton>
      </div>
    </form>
  );
}
