"use server";

import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { signOut } from "@/lib/auth/auth";
import { changePassword } from "@/lib/auth/change-password";
import type { ChangePasswordInput } from "@/lib/auth/schemas";
import { endAllSessions } from "@/lib/auth/sessions";
import { getSessionContext, TEAM_COOKIE } from "@/lib/auth/session";
import { runAction, type ActionResult } from "@/lib/actions/action-result";
import { requestClientAddress } from "@/lib/http/client-address";

async function requireUserId(): Promise<string> {
  const context = await getSessionContext();
  if (!context) redirect("/signin");
  return context.user.id;
}

/** Clears this browser's cookies after its session row is gone, and lands on sign-in with a notice. */
async function signOutHere(notice: string): Promise<never> {
  (await cookies()).delete(TEAM_COOKIE);
  await signOut({ redirectTo: `/signin?notice=${notice}` });
  redirect(`/signin?notice=${notice}`);
}

export async function changePasswordAction(input: ChangePasswordInput): Promise<ActionResult> {
  const userId = await requireUserId();
  const result = await runAction(async () => {
    await changePassword(userId, input, requestClientAddress(await headers()));
    return undefined;
  });
  if (!result.ok) return result;
  return signOutHere("password-changed");
}

export async function signOutEverywhereAction(): Promise<void> {
  await endAllSessions(await requireUserId());
  await signOutHere("signed-out-everywhere");
}
