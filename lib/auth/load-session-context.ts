import { prisma } from "@/lib/db/client";
import type { Actor, TeamRole } from "@/lib/auth/actor";

export type MyTeam = { id: string; name: string; role: TeamRole; current: boolean };
export type SessionUser = { id: string; email: string; name: string };
/** twoFactorMissing: the current team requires two-factor sign-in and the user has not set it up (sent to /two-factor). */
export type SessionContext = { actor: Actor; user: SessionUser; teams: MyTeam[]; twoFactorMissing: boolean };

/**
 * A signed-in user's teams and the current one: the wanted team (from the
 * team-switcher cookie) only if the user is a member of it, else their first
 * membership (of the teams the session may reach: ssoTeamId). Null when the
 * user no longer exists or belongs to no team.
 */
export async function loadSessionContext(userId: string, wantedTeamId: string | undefined, ssoTeamId: string | null = null): Promise<SessionContext | null> {
  // A session from a team's SSO reaches that team only (its provider is trusted for it alone);
  // any other session reaches every team except those that allow SSO sign-in only.
  const teamScope = ssoTeamId ? { teamId: ssoTeamId } : { team: { OR: [{ sso: { is: null } }, { sso: { is: { ssoOnly: false } } }] } };
  const user = await prisma.user.findUnique({
    where: { id: userId },
    select: {
      id: true,
      email: true,
      name: true,
      totpEnabledAt: true,
      memberships: {
        where: teamScope,
        select: { teamId: true, role: true, team: { select: { name: true, requireTwoFactor: true } } },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      },
    },
  });
  const first = user?.memberships[0];
  if (!user || !first) return null;
  const current = user.memberships.find((m) => m.teamId === wantedTeamId) ?? first;
  return {
    actor: { teamId: current.teamId, userId: user.id, tokenId: null, role: current.role, label: user.email },
    user: { id: user.id, email: user.email, name: user.name },
    twoFactorMissing: current.team.requireTwoFactor && !user.totpEnabledAt,
    teams: user.memberships.map((m) => ({ id: m.teamId, name: m.team.name, role: m.role, current: m.teamId === current.teamId })),
  };
}
