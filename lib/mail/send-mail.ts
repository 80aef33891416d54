import nodemailer, { type Transporter } from "nodemailer";
import { config } from "@/lib/config";
import { mailLog } from "@/lib/mail/log";
import { storeInDevMailbox } from "@/lib/mail/dev-mailbox";
import { withoutLinks, type MailMessage } from "@/lib/mail/message";

let transport: { url: string; transporter: Transporter } | undefined;

function smtpTransport(url: string): Transporter {
  if (transport?.url !== url) {
    // Bounded waits: a stalled mail server must not hold a request (or a worker) for minutes.
    transport = { url, transporter: nodemailer.createTransport(url, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 }) };
  }
  return transport.transporter;
}

export class MailNotSentError extends Error {
  constructor() {
    super("The email could not be sent: the mail server did not accept it. Check PULLGATE_SMTP_URL (the server log has the cause).");
  }
}

/**
 * Sends one mail through PULLGATE_SMTP_URL, or, with no SMTP configured, keeps
 * it in the development mailbox and logs it with its links withheld (the links
 * carry one-time tokens; they are readable in the mailbox only).
 * Throws MailNotSentError (no server detail, which may name hosts or users) when SMTP refuses.
 */
export async function sendMail(message: MailMessage): Promise<void> {
  const url = config.smtpUrl;
  if (!url) {
    const stored = await storeInDevMailbox(message);
    mailLog.info(
      { to: message.to, subject: message.subject, body: withoutLinks(message.text), devMailbox: stored.id },
      config.devMailboxEnabled
        ? "no PULLGATE_SMTP_URL: mail kept in the development mailbox (/dev/mailbox)"
        : "no PULLGATE_SMTP_URL: mail kept in <data dir>/dev-mailbox (set PULLGATE_DEV_MAILBOX=1 to read it at /dev/mailbox, or configure SMTP)",
    );
    return;
  }
  try {
    await smtpTransport(url).sendMail({ from: config.mailFrom, to: message.to, subject: message.subject, text: message.text });
    mailLog.info({ to: message.to, subject: message.subject }, "mail sent");
  } catch (err) {
    mailLog.error({ to: message.to, subject: message.subject, cause: (err as Error).message }, "mail not sent");
    throw new MailNotSentError();
  }
}
