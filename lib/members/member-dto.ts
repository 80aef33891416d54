import type { TeamRole } from "@/lib/auth/actor";
import type { TeamMember } from "@/lib/members/list-members";

export type MemberDto = { id: string; userId: string; email: string; name: string; role: TeamRole; joinedAt: string };

export function toMemberDto(m: TeamMember): MemberDto {
  return { id: m.membershipId, userId: m.userId, email: m.email, name: m.name, role: m.role, joinedAt: m.joinedAt.toISOString() };
}
