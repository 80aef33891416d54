import { config } from "@/lib/config";
import type { MailMessage } from "@/lib/mail/message";

/** Team names and labels are tenant text: no line breaks or control characters in a mail header. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, " ").slice(0, 200);
}

export function invitationUrl(token: string): string {
  return `${config.portalUrl.replace(/\/+$/, "")}/invite/${token}`;
}

export function invitationMail(input: { to: string; teamName: string; role: string; invitedBy: string; token: string; expiresAt: Date }): MailMessage {
  const team = oneLine(input.teamName);
  return {
    to: input.to,
    subject: `You are invited to join ${team} on Pullgate`,
    text: [
      `${oneLine(input.invitedBy)} invited you to join the team "${team}" on Pullgate as ${input.role}.`,
      "",
      "Accept or decline the invitation here:",
      invitationUrl(input.token),
      "",
      `The link works once and expires on ${input.expiresAt.toUTCString()}. You will be asked to sign in, or to create an account with this email address.`,
      "If you did not expect this invitation, ignore this email: nobody joins a team without accepting.",
    ].join("\n"),
  };
}
