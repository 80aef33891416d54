import fs from "node:fs";
import type { Command } from "commander";
import { ApiError } from "@/cli/remote/api-client";
import { withApi } from "@/cli/remote/context";
import { examples } from "@/cli/remote/help";
import { enc } from "@/cli/remote/commands/customers";

export function registerLicenses(program: Command): void {
  const licenses = examples(program.command("licenses").description("Customers' license files"), "pullgate licenses download cm1abc --out license.yaml");

  examples(
    licenses
      .command("download")
      .description("Download a customer's signed license file (GET /api/v1/customers/{id}/license-file)")
      .argument("<customer>", "customer ID")
      .option("--out <file>", "write it to this file (mode 0600) instead of stdout"),
    "pullgate licenses download cm1abc > license.yaml",
    "pullgate licenses download cm1abc --out license.yaml",
  ).action((customer: string, opts: { out?: string }, cmd: Command) =>
    withApi(cmd, async ({ api, note }) => {
      const path = `/api/v1/customers/${enc(customer)}/license-file`;
      let file: Buffer;
      try {
        file = await api.raw(path);
      } catch (err) {
        // The catch-all route answers "No API endpoint at ...": the portal predates license files.
        if (err instanceof ApiError && err.status === 404 && /no api endpoint/i.test(err.message)) {
          throw new Error(`This Pullgate portal has no license-file endpoint (GET ${path} answered 404): upgrade it to download license files.`);
        }
        throw err;
      }
      if (opts.out) {
        fs.writeFileSync(opts.out, file, { mode: 0o600 });
        note(`Wrote ${opts.out} (${file.length} bytes).`);
      } else {
        process.stdout.write(file);
      }
    }),
  );
}
