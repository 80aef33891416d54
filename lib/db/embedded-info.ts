import fs from "node:fs";
import path from "node:path";

// <dataDir>/embedded.json: where the running embedded database server of a
// data directory listens. Written by the server once it serves (atomically),
// read by everything that connects to it, including clients that follow the
// server when it restarts on another port (lib/db/connection.ts).

export const EMBEDDED_INFO_FILE = "embedded.json";

export type EmbeddedInfo = { pid: number; port: number; url: string; startedAt: string };

export function readEmbeddedInfo(dataDir: string): EmbeddedInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(/*turbopackIgnore: true*/ dataDir, EMBEDDED_INFO_FILE), "utf8")) as EmbeddedInfo;
    return Number.isInteger(info?.port) && Number.isInteger(info?.pid) ? info : null;
  } catch {
    return null;
  }
}
