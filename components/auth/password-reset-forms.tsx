"use client";

import * as React from "react";
import Link from "next/link";
import { Loader2 } from "lucide-react";
import { requestPasswordResetAction, resetPasswordAction } from "@/app/(auth)/password-actions";
import { FormAlert } from "@/components/auth/form-alert";
import { FormNotice } from "@/components/auth/form-notice";
import { SubmitButton } from "@/components/ui/submit-button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { fieldErrors, requestPasswordResetSchema, resetPasswordSchema } from "@/lib/auth/schemas";

export function RequestPasswordResetForm() {
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [message, setMessage] = React.useState<string>();
  const [done, setDone] = React.useState<string>();
  const [pending, startTransition] = React.useTransition();

  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = { email: String(new FormData(event.currentTarget).get("email") ?? "") };
    const parsed = requestPasswordResetSchema.safeParse(input);
    if (!parsed.success) return setErrors(fieldErrors(parsed.error));
    startTransition(async () => {
      const result = await requestPasswordResetAction(input);
      if (result.ok) {
        setDone(result.data.message);
        setErrors({});
        setMessage(undefined);
      } else {
        setErrors(result.fieldErrors);
        setMessage(result.message);
      }
    });
  }

  if (done) return <FormNotice title="Check your email.">{done}</FormNotice>;
  return (
    <form method="post" onSubmit={submit} noValidate className="grid gap-4">
      <FormAlert message={message} />
      <FormField label="Email" error={errors.email}>
        <Input name="email" type="email" autoComplete="email" autoFocus placeholder="you@company.com" />
      </FormField>
      <SubmitButton className="w-full" disabled={pending}>
        {pending ? <Loader2 className="animate-spin" aria-hidden /> : null}
        Send reset link
      </SubmitButton>
      <p className="text-center text-sm text-zinc-500">
        <Link href="/signin" className="font-medium text-zinc-900 underline-offset-4 hover:underline">
          Back to sign in
        </Link>
      </p>
    </form>
  );
}

export function ResetPasswordForm({ token }: { token: string }) {
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [message, setMessage] = React.useState<string>();
  const [pending, startTransition] = React.useTransition();

  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = { token, newPassword: String(form.get("newPassword") ?? ""), confirmPassword: String(form.get("confirmPassword") ?? "") };
    const parsed = resetPasswordSchema.safeParse(input);
    if (!parsed.success) {
      setErrors(fieldErrors(parsed.error));
      setMessage(undefined);
      return;
    }
    startTransition(async () => {
      const result = await resetPasswordAction(input);
      if (result && !result.ok) {
        setErrors(result.fieldErrors);
        setMessage(Object.keys(result.fieldErrors).length ? undefined : result.message);
      }
    });
  }

  return (
    <form method="post" onSubmit={submit} noValidate className="grid gap-4">
      <FormAlert message={message ?? errors.token} />
      <FormField label="New password" error={errors.newPassword} description={errors.newPassword ? undefined : "At least 10 characters, and not a common password."}>
        <Input name="newPassword" type="password" autoComplete="new-password" autoFocus />
      </FormField>
      <FormField label="Confirm new password" error={errors.confirmPassword}>
        <Input name="confirmPassword" type="password" autoComplete="new-password" />
      </FormField>
      <SubmitButton className="w-full" disabled={pending}>
        {pending ? <Loader2 className="animate-spin" aria-hidden /> : null}
        Set new password
      </SubmitButton>
    </form>
  );
}
