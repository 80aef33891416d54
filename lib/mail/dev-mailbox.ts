import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { config } from "@/lib/config";
import type { MailMessage } from "@/lib/mail/message";

// Without SMTP, mail is kept as files in the data directory (readable by the
// owner only, as the embedded database is), so every portal process sees the
// same box and a restart keeps it. /dev/mailbox shows them when enabled.

/** The box keeps the newest messages only: it must not grow without bound. */
export const DEV_MAILBOX_LIMIT = 100;

export type StoredMail = MailMessage & { id: string; time: string };

function mailboxDir(): string {
  return path.join(config.dataDir, "dev-mailbox");
}

export async function storeInDevMailbox(message: MailMessage, now = new Date()): Promise<StoredMail> {
  const dir = mailboxDir();
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  // Time first so names sort oldest to newest.
  const id = `${now.getTime().toString().padStart(15, "0")}-${randomBytes(6).toString("hex")}`;
  const stored: StoredMail = { ...message, id, time: now.toISOString() };
  await fs.writeFile(path.join(dir, `${id}.json`), JSON.stringify(stored), { mode: 0o600 });
  await prune(dir);
  return stored;
}

/** Newest first, at most `limit`. */
export async function listDevMailbox(limit = DEV_MAILBOX_LIMIT): Promise<StoredMail[]> {
  const names = await mailFiles(mailboxDir());
  const newest = names.slice(-limit).reverse();
  const mails: StoredMail[] = [];
  for (const name of newest) {
    try {
      mails.push(JSON.parse(await fs.readFile(path.join(mailboxDir(), name), "utf8")) as StoredMail);
    } catch {
      // Pruned by another process meanwhile.
    }
  }
  return mails;
}

async function mailFiles(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).filter((n) => n.endsWith(".json")).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}

async function prune(dir: string): Promise<void> {
  const names = await mailFiles(dir);
  for (const name of names.slice(0, Math.max(0, names.length - DEV_MAILBOX_LIMIT))) {
    await fs.rm(path.join(dir, name), { force: true });
  }
}
