"use server";

import { cookies } from "next/headers";
import { unstable_rethrow } from "next/navigation";
import { signIn } from "@/lib/auth/auth";
import { fieldErrors, signInSchema, signUpSchema } from "@/lib/auth/schemas";
import { signInErrorMessage } from "@/lib/auth/sign-in-errors";
import { TEAM_COOKIE } from "@/lib/auth/session";
import { createVendor } from "@/lib/teams/create-vendor";
import { ConflictError, ValidationError } from "@/lib/errors";

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
  const parsed = signInSchema.safeParse({ email: values.email, password: text(form, "password") });
  if (!parsed.success) return { errors: fieldErrors(parsed.error), values };
  try {
    await signIn("credentials", { ...parsed.data, redirectTo: safeNext(text(form, "next")) });
    return {};
  } catch (error) {
    unstable_rethrow(error); // the success redirect
    return { message: signInErrorMessage(error), values };
  }
}

export async function signUpAction(_prev: AuthFormState, form: FormData): Promise<AuthFormState> {
  const values = { name: text(form, "name"), email: text(form, "email"), teamName: text(form, "teamName") };
  const parsed = signUpSchema.safeParse({ ...values, name: values.name || undefined, password: text(form, "password") });
  if (!parsed.success) return { errors: fieldErrors(parsed.error), values };
  let teamId: string;
  try {
    const { team } = await createVendor(parsed.data);
    teamId = team.id;
  } catch (error) {
    if (error instanceof ConflictError) return { errors: { email: error.message }, values };
    if (error instanceof ValidationError) return { message: error.message, values };
    throw error;
  }
  (await cookies()).set(TEAM_COOKIE, teamId, { httpOnly: true, sameSite: "lax", path: "/", maxAge: 60 * 60 * 24 * 365 });
  try {
    await signIn("credentials", { email: parsed.data.email, password: parsed.data.password, redirectTo: "/dashboard" });
    return {};
  } catch (error) {
    unstable_rethrow(error); // the success redirect
    return { message: `Your account was created, but signing in failed: ${signInErrorMessage(error)}` };
  }
}
