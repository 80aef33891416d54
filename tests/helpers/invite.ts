import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Actor, TeamRole } from "@/lib/auth/actor";
import { createInvitation } from "@/lib/invitations/create-invitation";
import { acceptInvitation } from "@/lib/invitations/answer-invitation";
import { listDevMailbox } from "@/lib/mail/dev-mailbox";

/**
 * Tests without an SMTP peer read invitation links from the dev mailbox (no
 * PULLGATE_SMTP_URL), kept in a temporary data directory of their own.
 */
export function withTemporaryMailbox(): void {
  delete process.env.PULLGATE_SMTP_URL;
  process.env.PULLGATE_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "pullgate-mailbox-"));
}

/** The token of the newest mailed link to `email` whose path starts with `pathPrefix`. */
export async function mailedToken(email: string, pathPrefix: string): Promise<string> {
  for (const mail of await listDevMailbox()) {
    if (mail.to !== email) continue;
    const match = new RegExp(`${pathPrefix}([A-Za-z0-9_-]{43})`).exec(mail.text);
    if (match) return match[1]!;
  }
  throw new Error(`no ${pathPrefix} link mailed to ${email}`);
}

/** Invites `user` into the actor's team and accepts as them: how anyone joins a team now. */
export async function inviteAndAccept(actor: Actor, user: { id: string; email: string }, role: TeamRole) {
  await createInvitation(actor, { email: user.email, role });
  const token = await mailedToken(user.email, "/invite/");
  await acceptInvitation(user, token);
}
