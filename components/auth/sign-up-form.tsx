"use client";

import Link from "next/link";
import { Loader2 } from "lucide-react";
import { signUpAction } from "@/app/(auth)/actions";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { FormAlert } from "@/components/auth/form-alert";
import { useAuthForm } from "@/components/auth/use-auth-form";
import { signUpSchema } from "@/lib/auth/schemas";
import { invitedSignUpSchema } from "@/lib/invitations/schemas";

/** Sign-up; from an invitation link (`invitation`), for the invited address and without a team of one's own. */
export function SignUpForm({ invitation }: { invitation?: { token: string; email: string } }) {
  const { state, formAction, pending, validate, errors, message } = useAuthForm(signUpAction, invitation ? invitedSignUpSchema : signUpSchema, (form) => ({
    name: (form.get("name") as string) || undefined,
    email: form.get("email"),
    password: form.get("password"),
    ...(invitation ? { invitation: form.get("invitation") } : { teamName: form.get("teamName") }),
  }));

  return (
    <form action={formAction} onSubmit={validate} noValidate className="grid gap-4">
      <FormAlert message={message ?? errors.invitation} />
      {invitation ? <input type="hidden" name="invitation" value={invitation.token} /> : null}
      <FormField label="Your name" optional error={errors.name}>
        <Input name="name" autoComplete="name" defaultValue={state.values?.name} placeholder="Ada Lovelace" />
      </FormField>
      <FormField label="Work email" error={errors.email}>
        <Input name="email" type="email" autoComplete="email" defaultValue={state.values?.email ?? invitation?.email} placeholder="you@company.com" />
      </FormField>
      <FormField label="Password" error={errors.password} description={errors.password ? undefined : "At least 10 characters, and not a common password."}>
        <Input name="password" type="password" autoComplete="new-password" />
      </FormField>
      {invitation ? null : (
        <FormField label="Team name" error={errors.teamName} description="Usually your company. You can invite teammates later.">
          <Input name="teamName" autoComplete="organization" defaultValue={state.values?.teamName} placeholder="Acme Inc." />
        </FormField>
      )}
      <Button type="submit" className="mt-1 w-full" disabled={pending}>
        {pending ? <Loader2 className="animate-spin" aria-hidden /> : null}
        {pending ? "Creating account…" : "Create account"}
      </Button>
      <p className="text-center text-sm text-zinc-500">
        Already have an account?{" "}
        <Link href={invitation ? `/signin?next=${encodeURIComponent(`/invite/${invitation.token}`)}` : "/signin"} className="font-medium text-zinc-900 underline-offset-4 hover:underline">
          Sign in
        </Link>
      </p>
    </form>
  );
}
