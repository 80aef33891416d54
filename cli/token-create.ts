import { prisma } from "@/lib/db/client";
import { createApiToken } from "@/lib/api-tokens/create-api-token";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { parseOptions, required } from "@/cli/usage";
import { withDatabase } from "@/cli/with-database";

/** Prints the new token alone on stdout (so `TOKEN=$(pullgate token create …)` works); notes go to stderr. */
export async function tokenCreate(args: string[]): Promise<number> {
  const values = parseOptions(args, { email: { type: "string" }, name: { type: "string" }, team: { type: "string" } });
  const email = required(values, "email").trim().toLowerCase();
  const name = required(values, "name");
  const teamArg = values.team?.trim();

  const { token, teamName, prefix } = await withDatabase(async () => {
    const user = await prisma.user.findUnique({
      where: { email },
      select: { id: true, memberships: { select: { role: true, team: { select: { id: true, name: true } } } } },
    });
    if (!user) throw new NotFoundError(`User ${email}`);
    const teams = user.memberships.map((m) => m.team);
    const matches = teamArg ? teams.filter((t) => t.id === teamArg || t.name === teamArg) : teams;
    if (matches.length === 0) {
      throw teamArg ? new NotFoundError(`Team "${teamArg}" of ${email}`) : new ValidationError(`${email} belongs to no team.`);
    }
    if (matches.length > 1) {
      throw new ValidationError(
        `${email} belongs to several teams${teamArg ? ` named "${teamArg}"` : ""}: pass --team with one of ` +
          matches.map((t) => `${t.id} ("${t.name}")`).join(", "),
      );
    }
    const team = matches[0]!;
    const created = await createApiToken({ teamId: team.id, createdById: user.id, name });
    return { token: created.token, teamName: team.name, prefix: created.apiToken.prefix };
  });
  console.error(`Created API token "${name.trim()}" (${prefix}…) for team "${teamName}". It is shown only once:`);
  console.log(token);
  return 0;
}
