"use server";

import { revalidatePath } from "next/cache";
import { requireSessionActor } from "@/lib/auth/session";
import { requireId, runAction, type ActionResult } from "@/lib/actions/action-result";
import { addMember, addMemberResultMessage } from "@/lib/members/add-member";
import { changeMemberRole } from "@/lib/members/change-member-role";
import { removeMember } from "@/lib/members/remove-member";
import type { AddMemberInput, ChangeMemberRoleInput } from "@/lib/members/schemas";

/** The same answer whether or not the email has an account (see addMember). */
export async function addMemberAction(input: AddMemberInput): Promise<ActionResult<{ message: string }>> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    await addMember(actor, input);
    revalidatePath("/settings/members");
    return { message: addMemberResultMessage(input.email.trim().toLowerCase(), input.role) };
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
