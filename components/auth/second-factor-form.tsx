"use client";

import Link from "next/link";
import { Loader2 } from "lucide-react";
import { verifySecondFactorAction } from "@/app/(auth)/actions";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { FormAlert } from "@/components/auth/form-alert";
import { useAuthForm } from "@/components/auth/use-auth-form";
import { secondFactorFormSchema } from "@/lib/two-factor/schemas";

export function SecondFactorForm({ next }: { next?: string }) {
  const { formAction, pending, validate, errors, message } = useAuthForm(verifySecondFactorAction, secondFactorFormSchema, (form) => ({ code: form.get("code") }));
  return (
    <form action={formAction} onSubmit={validate} noValidate className="grid gap-4">
      <FormAlert message={message} />
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <FormField label="Authentication code" error={errors.code}>
        <Input name="code" autoComplete="one-time-code" inputMode="text" autoFocus placeholder="123456" />
      </FormField>
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? <Loader2 className="animate-spin" aria-hidden /> : null}
        Verify
      </Button>
      <p className="text-center text-sm text-zinc-500">
        <Link href="/signin" className="font-medium text-zinc-900 underline-offset-4 hover:underline">
          Start over
        </Link>
      </p>
    </form>
  );
}
