"use server";

import { redirect, unstable_rethrow } from "next/navigation";
import { signIn } from "@/lib/auth/auth";
import { fieldErrors, signInSchema, signUpSchema } from "@/lib/auth/schemas";
import { SecondFactorRequired, signInErrorMessage } from "@/lib/auth/sign-in-errors";
import { cookies } from "next/headers";
import { secondFactorFormSchema } from "@/lib/two-factor/schemas";
import { CHALLENGE_TTL_MS } from "@/lib/two-factor/sign-in-challenge";
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
  const next = safeNext(text(form, "next"));
  let challenge: string | undefined;
  try {
    await signIn("credentials", { ...parsed.data, redirectTo: next });
    return {};
  } catch (error) {
    unstable_rethrow(error); // the success redirect
    if (!(error instanceof SecondFactorRequired)) return { message: signInErrorMessage(error), values };
    challenge = error.challenge;
  }
  // The password was right and the account has two-factor sign-in: no session yet, the code comes next.
  (await cookies()).set(CHALLENGE_COOKIE, challenge, { httpOnly: true, sameSite: "lax", path: "/", maxAge: CHALLENGE_TTL_MS / 1000 });
  redirect(`/signin/verify?next=${encodeURIComponent(next)}`);
}

/** Cookie carrying the two-factor challenge from the password step to the code step. */
const CHALLENGE_COOKIE = "pullgate_2fa";

export async function verifySecondFactorAction(_prev: AuthFormState, form: FormData): Promise<AuthFormState> {
  const parsed = safeParseInput(secondFactorFormSchema, { code: text(form, "code") });
  if (!parsed.success) return { errors: fieldErrors(parsed.error) };
  const challenge = (await cookies()).get(CHALLENGE_COOKIE)?.value ?? "";
  try {
    await signIn("credentials", { challenge, code: parsed.data.code, redirectTo: safeNext(text(form, "next")) });
    return {};
  } catch (error) {
    unstable_rethrow(error); // the success redirect
    return { message: signInErrorMessage(error) };
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
