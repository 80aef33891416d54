"use server";

import { redirect, unstable_rethrow } from "next/navigation";
import { signIn } from "@/lib/auth/auth";
import { fieldErrors, signInSchema, signUpSchema } from "@/lib/auth/schemas";
import { signInErrorMessage } from "@/lib/auth/sign-in-errors";
import { createVendor } from "@/lib/teams/create-vendor";
import { signUpInvited } from "@/lib/invitations/sign-up-invited";
import { invitedSignUpSchema } from "@/lib/invitations/schemas";
import { ConflictError, ValidationError } from "@/lib/errors";
import { safeParseInput } from "@/lib/validation/format-zod-issues";

export type AuthFormState = {
  message?: string;
  errors?: Record<string, string>;
  /** Echoed back (never the password) so the form keeps what was typed. */
  values?: Record<string, string>;
};

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
};

/** Only same-site paths: an open redirect would let a link send users elsewhere after signing in. */
function safeNext(next: string): string {
  return next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/dashboard";
}

export async function signInAction(_prev: AuthFormState, form: FormData): Promise<AuthFormState> {
  const values = { email: text(form, "email") };
  const parsed = safeParseInput(signInSchema, { email: values.email, password: text(form, "password") });
  if (!parsed.success) return { errors: fieldErrors(parsed.error), values };
  try {
    await signIn("credentials", { ...parsed.data, redirectTo: safeNext(text(form, "next")) });
    return {};
  } catch (error) {
    unstable_rethrow(error); // the success redirect
    return { message: signInErrorMessage(error), values };
  }
}

/**
 * Sign-up answers the same whether the email is new or already has an
 * account: both end on the sign-in page with the same notice, so the form
 * cannot be used to find out who has an account. Nobody is signed in by it.
 */
export async function signUpAction(_prev: AuthFormState, form: FormData): Promise<AuthFormState> {
  const invitation = text(form, "invitation");
  const values = { name: text(form, "name"), email: text(form, "email"), teamName: text(form, "teamName") };
  const fields = { ...values, name: values.name || undefined, password: text(form, "password") };
  const parsed = invitation ? safeParseInput(invitedSignUpSchema, { ...fields, teamName: undefined, invitation }) : safeParseInput(signUpSchema, fields);
  if (!parsed.success) return { errors: fieldErrors(parsed.error), values };
  try {
    if (invitation) await signUpInvited(parsed.data as Parameters<typeof signUpInvited>[0]);
    else await createVendor(parsed.data as Parameters<typeof createVendor>[0]);
  } catch (error) {
    if (error instanceof ValidationError) {
      if (error.issues.length === 0) return { message: error.message, values };
      const errors: Record<string, string> = {};
      for (const issue of error.issues) errors[issue.path] ??= issue.message;
      if (errors.form) return { message: errors.form, values };
      return { errors, values };
    }
    // An existing account: nothing is created, and the caller sees exactly what a new sign-up sees.
    if (!(error instanceof ConflictError)) throw error;
  }
  // From an invitation: sign in, then back to the invitation to accept it.
  redirect(invitation ? `/signin?notice=signed-up&next=${encodeURIComponent(`/invite/${invitation}`)}` : "/signin?notice=signed-up");
}
