import { z } from "zod";
import { emailSchema } from "@/lib/teams/schemas";

// Shared by the Members page's forms and its server actions.

export const teamRoles = ["owner", "admin", "member"] as const;
export type TeamRoleValue = (typeof teamRoles)[number];

export const teamRoleSchema = z.enum(teamRoles, { error: "Role must be owner, admin or member." });

export const addMemberSchema = z.strictObject({
  email: emailSchema,
  role: teamRoleSchema,
});

export const changeMemberRoleSchema = z.strictObject({
  role: teamRoleSchema,
});

export type AddMemberInput = z.input<typeof addMemberSchema>;
export type ChangeMemberRoleInput = z.input<typeof changeMemberRoleSchema>;
