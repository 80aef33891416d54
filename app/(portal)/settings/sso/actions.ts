"use server";

import { revalidatePath } from "next/cache";
import { requireSessionActor } from "@/lib/auth/session";
import { runAction, type ActionResult } from "@/lib/actions/action-result";
import { saveSsoSettings } from "@/lib/sso/sso-settings";
import type { SsoSettingsInput } from "@/lib/sso/schemas";

export async function saveSsoSettingsAction(input: SsoSettingsInput): Promise<ActionResult> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    await saveSsoSettings(actor, input);
    revalidatePath("/settings/sso");
    return undefined;
  });
}
