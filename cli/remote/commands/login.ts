import readline from "node:readline/promises";
import type { Command } from "commander";
import { ApiClient } from "@/cli/remote/api-client";
import { normalizeApiUrl, removeRemoteConfig, storeRemoteConfig, configFile } from "@/cli/remote/config";
import { examples } from "@/cli/remote/help";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    // A token is ~53 characters: anything this big is not one.
    if (size > 4096) throw new Error("stdin holds more than 4 KiB: give only the token.");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8").trim();
}

async function prompt(question: string, hidden = false): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (hidden) {
    // Echo nothing while the token is typed.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.includes(question)) process.stderr.write(question);
    };
  }
  try {
    return (await rl.question(question)).trim();
  } finally {
    if (hidden) process.stderr.write("\n");
    rl.close();
  }
}

export function registerLogin(program: Command): void {
  examples(
    program
      .command("login")
      .description(`Check an API token against the portal and keep it in ${configFile().replace(process.env.HOME ?? "\u0000", "~")} (mode 0600)`)
      .option("--api-url <url>", "the portal's address (default: PULLGATE_API_URL)")
      .option("--token <token>", "the API token (visible in shell history: prefer --token-stdin)")
      .option("--token-stdin", "read the token from stdin"),
    "pullgate login --api-url https://portal.example.com   # asks for the token",
    "echo \"$PULLGATE_TOKEN\" | pullgate login --api-url https://portal.example.com --token-stdin",
  ).action(async (opts: { apiUrl?: string; token?: string; tokenStdin?: boolean }, cmd: Command) => {
    const interactive = Boolean(process.stdin.isTTY) && !opts.tokenStdin;
    let apiUrl = opts.apiUrl ?? process.env.PULLGATE_API_URL;
    if (!apiUrl && interactive) apiUrl = await prompt("Portal URL: ");
    if (!apiUrl) cmd.error("error: give --api-url (no prompts when stdin is not a terminal)", { exitCode: 2, code: "pullgate.usage" });
    let token = opts.token ?? (opts.tokenStdin ? await readStdin() : undefined);
    if (!token && interactive) token = await prompt("API token: ", true);
    if (!token) cmd.error("error: give --token-stdin or --token (no prompts when stdin is not a terminal)", { exitCode: 2, code: "pullgate.usage" });
    const config = { apiUrl: normalizeApiUrl(apiUrl!), token: token!.trim() };
    // Any authenticated read proves the URL and the token.
    const { apps } = await new ApiClient(config).get<{ apps: unknown[] }>("/api/v1/apps");
    const file = storeRemoteConfig(config);
    process.stderr.write(`Logged in to ${config.apiUrl} (the team has ${apps.length} app${apps.length === 1 ? "" : "s"}); token kept in ${file}.\n`);
  });

  examples(program.command("logout").description("Forget the token kept by pullgate login"), "pullgate logout").action(() => {
    process.stderr.write(removeRemoteConfig() ? `Removed ${configFile()}.\n` : "Not logged in.\n");
  });
}
