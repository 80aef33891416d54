import { cache } from "react";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { auth } from "@/lib/auth/auth";
import { prisma } from "@/lib/db/client";
import type { Actor, TeamRole } from "@/lib/auth/actor";

/** Cookie holding the team picked in the team switcher; always re-validated against memberships. */
export const TEAM_COOKIE = "pullgate_team";

export type MyTeam = { id: string; name: string; role: TeamRole; current: boolean };
export type SessionUser = { id: string; email: string; name: string };
export type SessionContext = { actor: Actor; user: SessionUser; teams: MyTeam[] };

/**
 * The signed-in user, their teams and the current one, read from the database
 * on each request (memberships can change while a JWT is still valid).
 * Cached per request so layout and page share one query.
 */
export const getSessionContext = cache(async (): Promise<SessionContext | null> => {
  const session = await auth();
  const userId = session?.user?.id;
  if (!userId) return null;
  const user = await prisma.user.findUnique({
    where: { id: userId },
    select: {
      id: true,
      email: true,
      name: true,
      memberships: { select: { teamId: true, role: true, team: { select: { name: true } } }, orderBy: { createdAt: "asc" } },
    },
  });
  if (!user || user.memberships.length === 0) return null;
  const wanted = (await cookies()).get(TEAM_COOKIE)?.value;
  const current = user.memberships.find((m) => m.teamId === wanted) ?? user.memberships[0]!;
  return {
    actor: { teamId: current.teamId, userId: user.id, tokenId: null, role: current.role, label: user.email },
    user: { id: user.id, email: user.email, name: user.name },
    teams: user.memberships.map((m) => ({ id: m.teamId, name: m.team.name, role: m.role, current: m.teamId === current.teamId })),
  };
});

export async function getSessionActor(): Promise<Actor | null> {
  return (await getSessionContext())?.actor ?? null;
}

/** For pages and server actions of the portal: the actor, or a redirect to /signin. */
export async function requireSessionActor(): Promise<Actor> {
  const actor = await getSessionActor();
  if (!actor) redirect("/signin");
  return actor;
}

export async function listMyTeams(): Promise<MyTeam[]> {
  return (await getSessionContext())?.teams ?? [];
}
