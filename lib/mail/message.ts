/** One outgoing mail. Plain text only: every client renders it, and no HTML is built from tenant input. */
export type MailMessage = { to: string; subject: string; text: string };

/** A body as it may appear in a log: links (which carry one-time tokens) replaced by a note. */
export function withoutLinks(text: string): string {
  return text.replace(/https?:\/\/\S+/g, "[link withheld from the log]");
}
