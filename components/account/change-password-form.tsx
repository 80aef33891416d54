"use client";

import * as React from "react";
import { Loader2 } from "lucide-react";
import { changePasswordAction } from "@/app/(portal)/account/actions";
import { FormAlert } from "@/components/auth/form-alert";
import { SubmitButton } from "@/components/ui/submit-button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { changePasswordSchema, fieldErrors } from "@/lib/auth/schemas";

export function ChangePasswordForm({ email }: { email: string }) {
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [message, setMessage] = React.useState<string>();
  const [pending, startTransition] = React.useTransition();

  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = {
      currentPassword: String(form.get("currentPassword") ?? ""),
      newPassword: String(form.get("newPassword") ?? ""),
      confirmPassword: String(form.get("confirmPassword") ?? ""),
    };
    const parsed = changePasswordSchema.safeParse(input);
    if (!parsed.success) {
      setErrors(fieldErrors(parsed.error));
      setMessage(undefined);
      return;
    }
    startTransition(async () => {
      // On success the action signs this browser out and redirects to sign-in.
      const result = await changePasswordAction(input);
      if (result.ok) return;
      setErrors(result.fieldErrors);
      setMessage(Object.keys(result.fieldErrors).length ? undefined : result.message);
    });
  }

  return (
    <form method="post" onSubmit={submit} noValidate className="grid gap-4">
      <FormAlert message={message} />
      {/* For password managers: which account the new password belongs to. */}
      <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      <FormField label="Current password" error={errors.currentPassword}>
        <Input name="currentPassword" type="password" autoComplete="current-password" />
      </FormField>
      <FormField label="New password" error={errors.newPassword} description={errors.newPassword ? undefined : "At least 10 characters, and not a common password."}>
        <Input name="newPassword" type="password" autoComplete="new-password" />
      </FormField>
      <FormField label="Confirm new password" error={errors.confirmPassword}>
        <Input name="confirmPassword" type="password" autoComplete="new-password" />
      </FormField>
      <div>
        <SubmitButton disabled={pending}>
          {pending ? <Loader2 className="animate-spin" aria-hidden /> : null}
          {pending ? "Changing…" : "Change password"}
        </SubmitButton>
      </div>
    </form>
  );
}
