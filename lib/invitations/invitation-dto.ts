import type { TeamRole } from "@/lib/auth/actor";
import { invitationStatus, type InvitationStatus } from "@/lib/invitations/invitation-status";

export type InvitationRow = {
  id: string;
  email: string;
  role: TeamRole;
  invitedByLabel: string;
  expiresAt: Date;
  createdAt: Date;
  acceptedAt: Date | null;
  declinedAt: Date | null;
  revokedAt: Date | null;
};

/** What the API and the Members page show of an invitation: never its token or the token's hash. */
export type InvitationDto = { id: string; email: string; role: TeamRole; status: InvitationStatus; invitedBy: string; expiresAt: string; createdAt: string };

export const invitationSelect = {
  id: true,
  email: true,
  role: true,
  invitedByLabel: true,
  expiresAt: true,
  createdAt: true,
  acceptedAt: true,
  declinedAt: true,
  revokedAt: true,
} as const;

export function toInvitationDto(row: InvitationRow, now = new Date()): InvitationDto {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    status: invitationStatus(row, now),
    invitedBy: row.invitedByLabel,
    expiresAt: row.expiresAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
  };
}
