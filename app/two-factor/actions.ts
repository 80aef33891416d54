"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getSignedInUser } from "@/lib/auth/session";
import { runAction, type ActionResult } from "@/lib/actions/action-result";
import { requestClientAddress } from "@/lib/http/client-address";
import { confirmTwoFactorEnrolment, startTwoFactorEnrolment } from "@/lib/two-factor/enrol-two-factor";
import { disableTwoFactor } from "@/lib/two-factor/disable-two-factor";
import type { ConfirmTwoFactorInput, DisableTwoFactorInput } from "@/lib/two-factor/schemas";

async function requireUserId(): Promise<string> {
  const user = await getSignedInUser();
  if (!user) redirect("/signin");
  return user.id;
}

export async function startTwoFactorAction(): Promise<ActionResult<{ secret: string; otpauthUri: string; qrDataUrl: string }>> {
  const userId = await requireUserId();
  return runAction(() => startTwoFactorEnrolment(userId));
}

export async function confirmTwoFactorAction(input: ConfirmTwoFactorInput): Promise<ActionResult<{ recoveryCodes: string[] }>> {
  const userId = await requireUserId();
  const address = requestClientAddress(await headers());
  return runAction(() => confirmTwoFactorEnrolment(userId, input, address));
}

export async function disableTwoFactorAction(input: DisableTwoFactorInput): Promise<ActionResult> {
  const userId = await requireUserId();
  const address = requestClientAddress(await headers());
  return runAction(async () => {
    await disableTwoFactor(userId, input, address);
    return undefined;
  });
}
