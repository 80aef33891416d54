import { z } from "zod";
import { component, defineOperation } from "@/lib/api/define-operation";
import { createInvitationSchema } from "@/lib/invitations/schemas";
import { teamRoles } from "@/lib/members/schemas";
import type { InvitationDto } from "@/lib/invitations/invitation-dto";
import type { MemberDto } from "@/lib/members/member-dto";

const memberSchema = component(
  "Member",
  z.object({
    id: z.string().describe("The membership's id."),
    userId: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(teamRoles),
    joinedAt: z.iso.datetime(),
  }) satisfies z.ZodType<MemberDto>,
);

const invitationSchema = component(
  "Invitation",
  z
    .object({
      id: z.string(),
      email: z.string(),
      role: z.enum(teamRoles),
      status: z.enum(["pending", "accepted", "declined", "revoked", "expired"]),
      invitedBy: z.string().describe("Who sent it: an email, or the API token's name."),
      expiresAt: z.iso.datetime().describe("7 days after it was sent."),
      createdAt: z.iso.datetime(),
    })
    .describe("An invitation to join the team. Its link is emailed to the invitee and never returned.") satisfies z.ZodType<InvitationDto>,
);

component("CreateInvitation", createInvitationSchema);

export const memberOperations = [
  defineOperation({
    method: "get",
    path: "/api/v1/members",
    summary: "List the team's members, owners first",
    response: { description: "Members", schema: z.object({ members: z.array(memberSchema) }) },
    errors: [401],
  }),
  defineOperation({
    method: "get",
    path: "/api/v1/invitations",
    summary: "List open invitations (pending, and unanswered ones that expired in the last 30 days), newest first",
    response: { description: "Invitations", schema: z.object({ invitations: z.array(invitationSchema) }) },
    errors: [401],
  }),
  defineOperation({
    method: "post",
    path: "/api/v1/invitations",
    summary: "Invite someone by email with a role",
    description:
      "Emails a link (valid 7 days, single use) with which the invitee signs up or signs in, then accepts or declines; nobody joins without accepting. " +
      "The answer is the same whether or not the email has a Pullgate account. A pending invitation of the same email is replaced. " +
      "Only owners may invite owners. 409 when the email is already a member or the team has 50 pending invitations. " +
      "emailSent is false when the mail server refused the email: the invitation stays pending (revoke it and invite again).",
    body: createInvitationSchema,
    response: { status: 201, description: "Invited", schema: z.object({ invitation: invitationSchema, emailSent: z.boolean() }) },
    errors: [400, 401, 403, 409],
  }),
  defineOperation({
    method: "delete",
    path: "/api/v1/invitations/{id}",
    summary: "Revoke an invitation: its link stops working",
    response: { status: 204, description: "Revoked" },
    errors: [401, 403, 404, 409],
  }),
];
