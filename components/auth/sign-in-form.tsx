"use client";

import Link from "next/link";
import { Loader2 } from "lucide-react";
import { signInAction } from "@/app/(auth)/actions";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { FormAlert } from "@/components/auth/form-alert";
import { useAuthForm } from "@/components/auth/use-auth-form";
import { signInSchema } from "@/lib/auth/schemas";

export function SignInForm({ next }: { next?: string }) {
  const { state, formAction, pending, validate, errors, message } = useAuthForm(signInAction, signInSchema, (form) => ({
    email: form.get("email"),
    password: form.get("password"),
  }));

  return (
    <form action={formAction} onSubmit={validate} noValidate className="grid gap-4">
      <FormAlert message={message} />
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <FormField label="Email" error={errors.email}>
        <Input name="email" type="email" autoComplete="email" autoFocus defaultValue={state.values?.email} placeholder="you@company.com" />
      </FormField>
      <FormField label="Password" error={errors.password}>
        <Input name="password" type="password" autoComplete="current-password" />
      </FormField>
      <p className="-mt-2 text-right text-sm">
        <Link href="/forgot-password" className="text-zinc-500 underline-offset-4 hover:text-zinc-900 hover:underline">
          Forgot your password?
        </Link>
      </p>
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
