import { z } from "zod";

// Shared by the Members page's forms and its server actions (inviting: lib/invitations/schemas.ts).

export const teamRoles = ["owner", "admin", "member"] as const;
export type TeamRoleValue = (typeof teamRoles)[number];

export const teamRoleSchema = z.enum(teamRoles, { error: "Role must be owner, admin or member." });

export const changeMemberRoleSchema = z.strictObject({
  role: teamRoleSchema,
});

export type ChangeMemberRoleInput = z.input<typeof changeMemberRoleSchema>;
