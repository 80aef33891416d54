"use server";

import { cookies } from "next/headers";
import { redirect, unstable_rethrow } from "next/navigation";
import { getSignedInUser, TEAM_COOKIE } from "@/lib/auth/session";
import { acceptInvitation, declineInvitation } from "@/lib/invitations/answer-invitation";
import { DomainError } from "@/lib/errors";

export type InvitationAnswerState = { message?: string };

/** Accepts (answer=accept) or declines the invitation of the form's token, as the signed-in account. */
export async function answerInvitationAction(_prev: InvitationAnswerState, form: FormData): Promise<InvitationAnswerState> {
  const token = String(form.get("token") ?? "");
  const user = await getSignedInUser();
  if (!user) redirect(`/signin?next=${encodeURIComponent(`/invite/${token}`)}`);
  try {
    if (form.get("answer") === "accept") {
      const { teamId } = await acceptInvitation(user, token);
      (await cookies()).set(TEAM_COOKIE, teamId, { httpOnly: true, sameSite: "lax", path: "/", maxAge: 60 * 60 * 24 * 365 });
      redirect("/dashboard");
    }
    await declineInvitation(user, token);
  } catch (error) {
    unstable_rethrow(error);
    if (error instanceof DomainError) return { message: error.message };
    throw error;
  }
  redirect(`/invite/${token}`);
}
