import fs from "node:fs";
import path from "node:path";
import { readDbPassword } from "@/lib/db/embedded-data-dir";

// <dataDir>/embedded.json: where the running embedded database server of a
// data directory listens. Written by the server once it serves (atomically),
// read by everything that connects to it, including clients that follow the
// server when it restarts on another port (lib/db/connection.ts). It says
// where the server is, not how to log in: the password is in
// <dataDir>/db-password (0600), and the connection string is built from both.

export const EMBEDDED_INFO_FILE = "embedded.json";
/** The only user and database the embedded server accepts. */
export const EMBEDDED_USER = "postgres";
export const EMBEDDED_DATABASE = "postgres";

export type EmbeddedInfo = {
  pid: number;
  port: number;
  /** Connection string with the password (never written to embedded.json, never printed). */
  url: string;
  startedAt: string;
};

/** What embedded.json holds. */
export type EmbeddedInfoFile = Omit<EmbeddedInfo, "url">;

export function embeddedUrl(port: number, password: string): string {
  return `postgresql://${EMBEDDED_USER}:${password}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
}

/** The connection string with the password masked, for messages. */
export function redactedUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^@]*@/, "$1***@");
}

/** embedded.json with the connection string built from the password file; null when either is missing. */
export function readEmbeddedInfo(dataDir: string): EmbeddedInfo | null {
  let file: EmbeddedInfoFile;
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(/*turbopackIgnore: true*/ dataDir, EMBEDDED_INFO_FILE), "utf8")) as Partial<EmbeddedInfoFile>;
    if (!Number.isInteger(parsed?.pid) || !Number.isInteger(parsed?.port)) return null;
    file = { pid: parsed.pid!, port: parsed.port!, startedAt: String(parsed.startedAt ?? "") };
  } catch {
    return null;
  }
  const password = readDbPassword(dataDir);
  return password ? { ...file, url: embeddedUrl(file.port, password) } : null;
}
