"use server";

import { revalidatePath } from "next/cache";
import { requireSessionActor } from "@/lib/auth/session";
import { runAction, type ActionResult } from "@/lib/actions/action-result";
import { prisma } from "@/lib/db/client";
import { rotateSigningKey } from "@/lib/signing-keys/rotate-signing-key";

export async function rotateSigningKeyAction(): Promise<ActionResult<{ kid: string }>> {
  const actor = await requireSessionActor();
  return runAction(async () => {
    const result = await rotateSigningKey(prisma, actor);
    revalidatePath("/settings/signing-keys");
    return result;
  });
}
