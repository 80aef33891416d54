import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// Where `pullgate login` keeps the API URL and token: the XDG config
// directory, readable by its owner only (the token acts as its creator).
// PULLGATE_API_URL and PULLGATE_API_TOKEN take precedence over the file.

export type RemoteConfig = { apiUrl: string; token: string };

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), ".config");
  return path.join(base, "pullgate");
}

export const configFile = (env: NodeJS.ProcessEnv = process.env) => path.join(configDir(env), "config.json");

function readStored(env: NodeJS.ProcessEnv): Partial<RemoteConfig> {
  let text: string;
  try {
    text = fs.readFileSync(configFile(env), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as Partial<RemoteConfig>;
    return { apiUrl: typeof parsed.apiUrl === "string" ? parsed.apiUrl : undefined, token: typeof parsed.token === "string" ? parsed.token : undefined };
  } catch {
    throw new Error(`${configFile(env)} is not valid JSON: run pullgate login again.`);
  }
}

/** The API to talk to: environment first, then the login file. */
export function resolveRemoteConfig(env: NodeJS.ProcessEnv = process.env): RemoteConfig {
  const stored = readStored(env);
  const apiUrl = env.PULLGATE_API_URL?.trim() || stored.apiUrl;
  const token = env.PULLGATE_API_TOKEN?.trim() || stored.token;
  if (!apiUrl || !token) {
    throw new Error(
      `Not logged in: set PULLGATE_API_URL and PULLGATE_API_TOKEN, or run pullgate login (missing ${[!apiUrl && "the API URL", !token && "the token"].filter(Boolean).join(" and ")}).`,
    );
  }
  return { apiUrl: normalizeApiUrl(apiUrl), token };
}

/** http(s)://host[:port][/prefix], no trailing slash. */
export function normalizeApiUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`Not a URL: ${raw}. Give the portal's address, e.g. https://portal.example.com.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`The API URL must start with http:// or https:// (got ${url.protocol}).`);
  return url.toString().replace(/\/+$/, "");
}

/** Writes the file 0600 in a 0700 directory, replacing it atomically. */
export function storeRemoteConfig(config: RemoteConfig, env: NodeJS.ProcessEnv = process.env): string {
  const dir = configDir(env);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const file = configFile(env);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(config, null, 2) + "\n", { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
  return file;
}

export function removeRemoteConfig(env: NodeJS.ProcessEnv = process.env): boolean {
  try {
    fs.unlinkSync(configFile(env));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}
