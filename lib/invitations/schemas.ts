import { z } from "zod";
import { emailSchema, newPasswordSchema } from "@/lib/teams/schemas";
import { teamRoleSchema } from "@/lib/members/schemas";
import { ONE_TIME_TOKEN_PATTERN } from "@/lib/auth/schemas";

// Shared by Settings → Members, its server actions, POST /api/v1/invitations and the invitation pages.

export const createInvitationSchema = z.strictObject({
  email: emailSchema,
  role: teamRoleSchema,
});

export const invitationTokenSchema = z.string().regex(ONE_TIME_TOKEN_PATTERN, "This invitation link is incomplete or malformed.");

/** Sign-up from an invitation: no team of one's own is created, the account joins the inviting team on accepting. */
export const invitedSignUpSchema = z.object({
  name: z.string().trim().max(200, "Name is too long.").optional(),
  email: emailSchema,
  password: newPasswordSchema,
  invitation: invitationTokenSchema,
});

export type CreateInvitationInput = z.input<typeof createInvitationSchema>;
export type InvitedSignUpInput = z.input<typeof invitedSignUpSchema>;
