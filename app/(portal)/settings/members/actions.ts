"use server";

import { revalidatePath } from "next/cache";
import { requireSessionActor } from "@/lib/auth/session";
import { requireId, runAction, type ActionResult } from "@/lib/actions/action-result";
import { changeMemberRole } from "@/lib/members/change-member-role";
import { removeMember } from "@/lib/members/remove-member";
import { createInvitation } from "@/lib/invitations/create-invitation";
import { revokeInvitation } from "@/lib/invitations/revoke-invitation";
import type { ChangeMemberRoleInput } from "@/lib/members/schemas";
import type { CreateInvitationInput } from "@/lib/invitations/schemas";
import { setTeamTwoFactor } from "@/lib/teams/set-team-two-factor";
import type { TeamTwoFactorInput } from "@/lib/two-factor/schemas";

export async function setTeamTwoFactorAction(input: TeamTwoFactorInput): Promise<ActionResult> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    await setTeamTwoFactor(actor, input);
    revalidatePath("/settings/members");
    return undefined;
  });
}

/** The same answer whether or not the email has an account: an invitation is sent either way. */
export async function inviteMemberAction(input: CreateInvitationInput): Promise<ActionResult<{ message: string; emailSent: boolean }>> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    const { invitation, emailSent } = await createInvitation(actor, input);
    revalidatePath("/settings/members");
    return {
      emailSent,
      message: emailSent
        ? `Invitation sent to ${invitation.email} (${invitation.role}). They join once they accept; the link works for 7 days.`
        : `The invitation to ${invitation.email} is saved, but the email could not be sent. Check the mail settings, then revoke it and invite again.`,
    };
  });
}

export async function revokeInvitationAction(invitationId: string): Promise<ActionResult> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    await revokeInvitation(actor, requireId(invitationId, "Invitation"));
    revalidatePath("/settings/members");
    return undefined;
  });
}

export async function changeMemberRoleAction(membershipId: string, input: ChangeMemberRoleInput): Promise<ActionResult> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    await changeMemberRole(actor, requireId(membershipId, "Member"), input);
    revalidatePath("/settings/members");
    return undefined;
  });
}

export async function removeMemberAction(membershipId: string): Promise<ActionResult> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    await removeMember(actor, requireId(membershipId, "Member"));
    revalidatePath("/settings/members");
    return undefined;
  });
}
