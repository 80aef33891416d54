export type InvitationStatus = "pending" | "accepted" | "declined" | "revoked" | "expired";

type Answerable = { acceptedAt: Date | null; declinedAt: Date | null; revokedAt: Date | null; expiresAt: Date };

export const INVITATION_VALID_DAYS = 7;

export function invitationStatus(inv: Answerable, now = new Date()): InvitationStatus {
  if (inv.acceptedAt) return "accepted";
  if (inv.declinedAt) return "declined";
  if (inv.revokedAt) return "revoked";
  if (inv.expiresAt.getTime() <= now.getTime()) return "expired";
  return "pending";
}

/** The where-clause of invitations that can still be answered. */
export function pendingWhere(now = new Date()) {
  return { acceptedAt: null, declinedAt: null, revokedAt: null, expiresAt: { gt: now } };
}
