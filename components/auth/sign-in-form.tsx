"use client";

import * as React from "react";
import Link from "next/link";
import { Loader2 } from "lucide-react";
import { signInAction, type AuthFormState } from "@/app/(auth)/actions";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { FormAlert } from "@/components/auth/form-alert";
import { fieldErrors, signInSchema } from "@/lib/auth/schemas";

export function SignInForm({ next }: { next?: string }) {
  const [state, formAction, pending] = React.useActionState<AuthFormState, FormData>(signInAction, {});
  const [clientErrors, setClientErrors] = React.useState<Record<string, string> | null>(null);
  const errors = clientErrors ?? state.errors ?? {};

  function validate(event: React.FormEvent<HTMLFormElement>) {
    const form = new FormData(event.currentTarget);
    const parsed = signInSchema.safeParse({ email: form.get("email"), password: form.get("password") });
    if (!parsed.success) {
      event.preventDefault();
      setClientErrors(fieldErrors(parsed.error));
      return;
    }
    setClientErrors(null);
  }

  return (
    <form action={formAction} onSubmit={validate} noValidate className="grid gap-4">
      <FormAlert message={clientErrors ? undefined : state.message} />
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <FormField label="Email" error={errors.email}>
        <Input name="email" type="email" autoComplete="email" autoFocus defaultValue={state.values?.email} placeholder="you@company.com" />
      </FormField>
      <FormField label="Password" error={errors.password}>
        <Input name="password" type="password" autoComplete="current-password" />
      </FormField>
      <Button type="submit" className="mt-1 w-full" disabled={pending}>
        {pending ? <Loader2 className="animate-spin" aria-hidden /> : null}
        {pending ? "Signing in…" : "Sign in"}
      </Button>
      <p className="text-center text-sm text-zinc-500">
        New to Pullgate?{" "}
        <Link href="/signup" className="font-medium text-zinc-900 underline-offset-4 hover:underline">
          Create an account
        </Link>
      </p>
    </form>
  );
}
