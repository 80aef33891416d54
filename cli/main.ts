import { CommanderError } from "commander";
import { UsageError } from "@/cli/usage";
import { buildProgram, type RunState } from "@/cli/program";
import { ApiError } from "@/cli/remote/api-client";

/** Messages can carry text a tenant typed: no terminal control sequences reach the screen. */
const printable = (text: string) => text.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u009b]/g, "?");

/**
 * Runs one pullgate command. Exit codes: 0 ok, 1 error (the API's message on
 * stderr), 2 usage (unknown command or option, missing argument).
 */
export async function main(argv: string[]): Promise<number> {
  const state: RunState = { code: 0 };
  const program = buildProgram(state);
  try {
    await program.parseAsync(argv, { from: "user" });
    return state.code || (typeof process.exitCode === "number" ? process.exitCode : 0);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed the message (or the help) already.
      return err.code === "commander.helpDisplayed" || err.code === "commander.version" ? 0 : 2;
    }
    if (err instanceof UsageError) {
      console.error(`${err.message}\n(add --help for usage)`);
      return 2;
    }
    if (err instanceof ApiError) {
      console.error(`Error: ${printable(err.message)}`);
      for (const issue of err.issues) console.error(`  ${printable(issue.path)}: ${printable(issue.message)}`);
      return 1;
    }
    console.error(`Error: ${printable(err instanceof Error ? err.message : String(err))}`);
    return 1;
  }
}
