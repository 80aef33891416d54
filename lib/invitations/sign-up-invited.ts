import { Prisma } from "@/lib/generated/prisma/client";
import { prisma } from "@/lib/db/client";
import { hashPassword } from "@/lib/auth/password";
import { assertPasswordNotCommon } from "@/lib/auth/password-policy";
import { ConflictError, ValidationError } from "@/lib/errors";
import { EMAIL_TAKEN_MESSAGE } from "@/lib/teams/create-vendor";
import { formatZodIssues, safeParseInput } from "@/lib/validation/format-zod-issues";
import { invitedSignUpSchema, type InvitedSignUpInput } from "@/lib/invitations/schemas";
import { findInvitationByToken } from "@/lib/invitations/find-invitation";

/**
 * Sign-up from an invitation link: an account of the invited email and no team
 * of its own; it joins the inviting team only when it accepts (after signing in).
 * An email that already has an account is a ConflictError, which the sign-up
 * form answers exactly like a new account (it ends on the sign-in page).
 */
export async function signUpInvited(input: InvitedSignUpInput, now = new Date()): Promise<void> {
  const parsed = safeParseInput(invitedSignUpSchema, input);
  if (!parsed.success) {
    const issues = formatZodIssues(parsed.error);
    throw new ValidationError(issues[0]?.message ?? "Invalid sign-up details.", issues);
  }
  const { email, password, invitation } = parsed.data;
  const inv = await findInvitationByToken(invitation, now);
  if (!inv || inv.status !== "pending") {
    throw new ValidationError("This invitation can no longer be used: ask the team for a new one.", [{ path: "form", message: "This invitation can no longer be used." }]);
  }
  if (inv.email !== email) {
    const message = `This invitation is for ${inv.email}: sign up with that address.`;
    throw new ValidationError(message, [{ path: "email", message }]);
  }
  assertPasswordNotCommon(password);
  const passwordHash = await hashPassword(password);
  const name = parsed.data.name || email.split("@")[0] || email;
  try {
    await prisma.user.create({ data: { email, name, passwordHash, createdAt: now } });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") throw new ConflictError(EMAIL_TAKEN_MESSAGE);
    throw err;
  }
}
