"use client";

import * as React from "react";
import type { z } from "zod";
import type { AuthFormState } from "@/app/(auth)/actions";
import { fieldErrors } from "@/lib/auth/schemas";
import { safeParseInput } from "@/lib/validation/format-zod-issues";

/**
 * A sign-in/sign-up form's state: the same schema the server action uses
 * checks the fields first, and an invalid form is not sent. Client errors,
 * while shown, take the place of the server's.
 */
export function useAuthForm(
  action: (state: AuthFormState, form: FormData) => Promise<AuthFormState>,
  schema: z.ZodType,
  readFields: (form: FormData) => Record<string, unknown>,
) {
  const [state, formAction, pending] = React.useActionState<AuthFormState, FormData>(action, {});
  const [clientErrors, setClientErrors] = React.useState<Record<string, string> | null>(null);

  function validate(event: React.FormEvent<HTMLFormElement>) {
    const parsed = safeParseInput(schema, readFields(new FormData(event.currentTarget)));
    if (!parsed.success) {
      event.preventDefault();
      setClientErrors(fieldErrors(parsed.error));
      return;
    }
    setClientErrors(null);
  }

  return {
    state,
    formAction,
    pending,
    validate,
    errors: clientErrors ?? state.errors ?? {},
    message: clientErrors ? undefined : state.message,
  };
}
