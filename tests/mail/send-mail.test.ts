import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { config } from "@/lib/config";
import { listDevMailbox, DEV_MAILBOX_LIMIT } from "@/lib/mail/dev-mailbox";
import { mailLog } from "@/lib/mail/log";
import { MailNotSentError, sendMail } from "@/lib/mail/send-mail";
import { startSmtpCapture, type SmtpCapture } from "../helpers/smtp-capture";

const saved = { ...process.env };
let smtp: SmtpCapture;
let dataDir: string;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "pullgate-mail-"));
});
afterAll(async () => {
  await smtp.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});
afterEach(() => {
  process.env = { ...saved };
  vi.restoreAllMocks();
});

describe("sendMail", () => {
  it("sends through PULLGATE_SMTP_URL from PULLGATE_MAIL_FROM", async () => {
    process.env.PULLGATE_SMTP_URL = smtp.url;
    process.env.PULLGATE_MAIL_FROM = "Acme Portal <portal@acme.test>";
    const link = "http://localhost:3000/invite/abc_DEF-123";
    await sendMail({ to: "ada@example.com", subject: "You are invited — Acme", text: `Join us:\n${link}\n` });
    const mail = await smtp.waitFor("ada@example.com");
    expect(mail.from).toBe("portal@acme.test");
    expect(mail.subject).toBe("You are invited — Acme");
    expect(mail.text).toContain(link);
  });

  it("a refusing mail server is a MailNotSentError that names no server detail", async () => {
    // A port nobody listens on (the capture's, after a close would race; use a fresh closed one).
    const closed = await startSmtpCapture();
    await closed.close();
    process.env.PULLGATE_SMTP_URL = `smtp://user:hunter2-secret@127.0.0.1:${closed.port}`;
    const error = await sendMail({ to: "ada@example.com", subject: "x", text: "y" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailNotSentError);
    expect(String((error as Error).message)).not.toContain("hunter2");
  });

  it("without SMTP keeps the mail in the dev mailbox and logs it with its links withheld", async () => {
    delete process.env.PULLGATE_SMTP_URL;
    process.env.PULLGATE_DATA_DIR = dataDir;
    const logged = vi.spyOn(mailLog, "info");
    const link = "http://localhost:3000/reset-password/SECRET_TOKEN_123";
    await sendMail({ to: "bob@example.com", subject: "Reset your password", text: `Follow ${link} within an hour.` });
    const [mail] = await listDevMailbox();
    expect(mail).toMatchObject({ to: "bob@example.com", subject: "Reset your password" });
    expect(mail!.text).toContain(link);
    expect(logged).toHaveBeenCalledTimes(1);
    const line = JSON.stringify(logged.mock.calls[0]);
    expect(line).toContain("bob@example.com");
    expect(line).toContain("[link withheld from the log]");
    expect(line).not.toContain("SECRET_TOKEN_123");
    const mode = (await fs.stat(path.join(dataDir, "dev-mailbox"))).mode & 0o777;
    expect(mode).toBe(0o700);
  });

  it("the dev mailbox keeps only the newest messages", async () => {
    delete process.env.PULLGATE_SMTP_URL;
    process.env.PULLGATE_DATA_DIR = await fs.mkdtemp(path.join(dataDir, "bound-"));
    const start = Date.now();
    const { storeInDevMailbox } = await import("@/lib/mail/dev-mailbox");
    for (let i = 0; i < DEV_MAILBOX_LIMIT + 5; i++) await storeInDevMailbox({ to: "x@example.com", subject: `n${i}`, text: "" }, new Date(start + i));
    const all = await listDevMailbox(1000);
    expect(all).toHaveLength(DEV_MAILBOX_LIMIT);
    expect(all[0]!.subject).toBe(`n${DEV_MAILBOX_LIMIT + 4}`);
  });

  it("the dev mailbox page is on only without SMTP, and in production only when asked for", () => {
    const env = process.env as Record<string, string | undefined>;
    delete env.PULLGATE_SMTP_URL;
    delete env.PULLGATE_DEV_MAILBOX;
    env.NODE_ENV = "development";
    expect(config.devMailboxEnabled).toBe(true);
    env.NODE_ENV = "production";
    expect(config.devMailboxEnabled).toBe(false);
    env.PULLGATE_DEV_MAILBOX = "1";
    expect(config.devMailboxEnabled).toBe(true);
    env.PULLGATE_SMTP_URL = smtp.url;
    expect(config.devMailboxEnabled).toBe(false);
  });
});
