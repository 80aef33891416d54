import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { config } from "@/lib/config";
import { listDevMailbox } from "@/lib/mail/dev-mailbox";

export const metadata: Metadata = { title: "Development mailbox · Pullgate" };
export const dynamic = "force-dynamic";

/**
 * Mail Pullgate would have sent, when no SMTP server is configured: enabled
 * outside production, or with PULLGATE_DEV_MAILBOX=1 (lib/config.ts). It shows
 * one-time links to whoever opens it, so it is off everywhere else.
 */
export default async function DevMailboxPage() {
  if (!config.devMailboxEnabled) notFound();
  const mails = await listDevMailbox();
  return (
    <main className="mx-auto max-w-3xl px-4 py-10">
      <h1 className="text-2xl font-semibold tracking-tight text-zinc-900">Development mailbox</h1>
      <p className="mt-1 text-sm text-zinc-500">
        No SMTP server is configured (PULLGATE_SMTP_URL), so mail is kept here instead of being sent. Anyone who can open this page can follow these
        links: configure SMTP before inviting real people.
      </p>
      {mails.length === 0 ? <p className="mt-8 text-sm text-zinc-500">No mail yet.</p> : null}
      <ol className="mt-6 grid gap-4">
        {mails.map((mail) => (
          <li key={mail.id} data-testid="dev-mail" className="rounded-lg border border-zinc-200 bg-white p-4 shadow-sm">
            <p className="text-xs text-zinc-500">
              {mail.time} · to <span data-testid="dev-mail-to">{mail.to}</span>
            </p>
            <h2 className="mt-1 font-medium text-zinc-900">{mail.subject}</h2>
            <pre className="mt-3 whitespace-pre-wrap break-words font-sans text-sm text-zinc-700">{linkify(mail.text)}</pre>
          </li>
        ))}
      </ol>
    </main>
  );
}

function linkify(text: string): React.ReactNode[] {
  return text.split(/(https?:\/\/\S+)/g).map((part, i) =>
    i % 2 === 1 ? (
      <a key={i} href={part} className="text-sky-700 underline">
        {part}
      </a>
    ) : (
      part
    ),
  );
}
