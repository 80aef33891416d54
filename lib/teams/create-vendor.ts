import { Prisma } from "@/lib/generated/prisma/client";
import type { Team, User } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db/client";
import { hashPassword } from "@/lib/auth/password";
import { ConflictError, ValidationError } from "@/lib/errors";
import { formatZodIssues, safeParseInput } from "@/lib/validation/format-zod-issues";
import { assertPasswordNotCommon } from "@/lib/auth/password-policy";
import { createVendorSchema, type CreateVendorInput } from "@/lib/teams/schemas";

export const EMAIL_TAKEN_MESSAGE = "An account with this email already exists.";

/**
 * Sign-up: a new user, a new team, and the user as that team's owner, all in
 * one transaction so a failure never leaves a user without a team.
 */
export type VendorUser = Omit<User, "passwordHash">;

export async function createVendor(input: CreateVendorInput): Promise<{ user: VendorUser; team: Team }> {
  const parsed = safeParseInput(createVendorSchema, input);
  if (!parsed.success) {
    // The first field's message alone reads better in the CLI and sign-up form than the full list.
    const issues = formatZodIssues(parsed.error);
    throw new ValidationError(issues[0]?.message ?? "Invalid sign-up details.", issues);
  }
  const { email, password, teamName } = parsed.data;
  const name = parsed.data.name || email.split("@")[0] || email;

  assertPasswordNotCommon(password);

  // Hashed before the email is looked up, so a taken email takes as long as a new one (sign-up must not tell them apart).
  const passwordHash = await hashPassword(password);
  const existing = await prisma.user.findUnique({ where: { email }, select: { id: true } });
  if (existing) throw new ConflictError(EMAIL_TAKEN_MESSAGE);

  try {
    return await prisma.$transaction(async (tx) => {
      const user = await tx.user.create({ data: { email, name, passwordHash }, omit: { passwordHash: true } });
      const team = await tx.team.create({ data: { name: teamName } });
      await tx.membership.create({ data: { userId: user.id, teamId: team.id, role: "owner" } });
      return { user, team };
    });
  } catch (err) {
    // A concurrent sign-up with the same email won the race.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw new ConflictError(EMAIL_TAKEN_MESSAGE);
    }
    throw err;
  }
}
