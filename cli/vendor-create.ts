import { createVendor } from "@/lib/teams/create-vendor";
import { ValidationError } from "@/lib/errors";
import { parseOptions, required } from "@/cli/usage";
import { withDatabase } from "@/cli/with-database";

export async function vendorCreate(args: string[]): Promise<number> {
  const values = parseOptions(args, {
    email: { type: "string" },
    password: { type: "string" },
    team: { type: "string" },
    name: { type: "string" },
  });
  const input = {
    email: required(values, "email"),
    password: required(values, "password"),
    teamName: required(values, "team"),
    name: values.name,
  };
  try {
    const { user, team } = await withDatabase(() => createVendor(input));
    console.log(`Created vendor ${user.email} as owner of team "${team.name}" (team id ${team.id}).`);
    return 0;
  } catch (err) {
    if (err instanceof ValidationError) {
      console.error(`Error: ${err.issues.map((i) => `--${i.path === "teamName" ? "team" : i.path}: ${i.message}`).join("\n       ") || err.message}`);
      return 1;
    }
    throw err;
  }
}
