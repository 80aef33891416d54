"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { runAction, type ActionResult } from "@/lib/actions/action-result";
import { requestPasswordReset } from "@/lib/auth/request-password-reset";
import { resetPassword } from "@/lib/auth/reset-password";
import type { RequestPasswordResetInput, ResetPasswordInput } from "@/lib/auth/schemas";
import { requestClientAddress } from "@/lib/http/client-address";

/** The same answer whether or not the email has an account (the mail goes out after it). */
export async function requestPasswordResetAction(input: RequestPasswordResetInput): Promise<ActionResult<{ message: string }>> {
  const address = requestClientAddress(await headers());
  return runAction(async () => ({ message: (await requestPasswordReset(input, address)).message }));
}

export async function resetPasswordAction(input: ResetPasswordInput): Promise<ActionResult> {
  const result = await runAction(async () => {
    await resetPassword(input);
    return undefined;
  });
  if (!result.ok) return result;
  redirect("/signin?notice=password-reset");
}
