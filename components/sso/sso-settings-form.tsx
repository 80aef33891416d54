"use client";

import * as React from "react";
import { useRouter } from "next/navigation";
import { saveSsoSettingsAction } from "@/app/(portal)/settings/sso/actions";
import { FormAlert } from "@/components/auth/form-alert";
import { SubmitButton } from "@/components/ui/submit-button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { toast } from "@/components/ui/toaster";
import type { SsoSettingsDto } from "@/lib/sso/sso-settings";

export function SsoSettingsForm({ settings, editable }: { settings: SsoSettingsDto | null; editable: boolean }) {
  const router = useRouter();
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [message, setMessage] = React.useState<string>();
  const [pending, startTransition] = React.useTransition();

  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = {
      issuer: String(form.get("issuer") ?? ""),
      clientId: String(form.get("clientId") ?? ""),
      clientSecret: String(form.get("clientSecret") ?? ""),
      allowedDomain: String(form.get("allowedDomain") ?? ""),
      defaultRole: String(form.get("defaultRole") ?? "member") as "member",
      ssoOnly: form.get("ssoOnly") === "on",
    };
    startTransition(async () => {
      const result = await saveSsoSettingsAction(input);
      if (result.ok) {
        toast.success("Single sign-on saved.");
        setErrors({});
        setMessage(undefined);
        router.refresh();
      } else {
        setErrors(result.fieldErrors);
        setMessage(result.message);
      }
    });
  }

  return (
    <form method="post" onSubmit={submit} noValidate className="grid gap-4">
      <FormAlert message={message} />
      <fieldset disabled={!editable || pending} className="grid gap-4">
        <FormField label="Issuer URL" error={errors.issuer}>
          <Input name="issuer" defaultValue={settings?.issuer} placeholder="https://login.example.com" />
        </FormField>
        <FormField label="Client ID" error={errors.clientId}>
          <Input name="clientId" defaultValue={settings?.clientId} />
        </FormField>
        <FormField label="Client secret" error={errors.clientSecret} description={settings?.hasSecret ? "Stored. Leave blank to keep it." : undefined}>
          <Input name="clientSecret" type="password" autoComplete="off" />
        </FormField>
        <FormField label="Allowed email domain" error={errors.allowedDomain} description="Only addresses @ this domain may sign in through the provider.">
          <Input name="allowedDomain" defaultValue={settings?.allowedDomain} placeholder="example.com" />
        </FormField>
        <FormField label="Default role" error={errors.defaultRole} description="The role of people who join by signing in through the provider.">
          <Select name="defaultRole" defaultValue={settings?.defaultRole ?? "member"}>
            <option value="member">Member</option>
            <option value="admin">Admin</option>
          </Select>
        </FormField>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="ssoOnly" defaultChecked={settings?.ssoOnly} />
          SSO only: this team cannot be used after a password sign-in
        </label>
        {editable ? (
          <SubmitButton className="justify-self-start">
            Save single sign-on
          </SubmitButton>
        ) : null}
      </fieldset>
    </form>
  );
}
