import { cache } from "react";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { auth } from "@/lib/auth/auth";
import type { Actor } from "@/lib/auth/actor";
import { loadSessionContext, type MyTeam, type SessionContext, type SessionUser } from "@/lib/auth/load-session-context";
import { prisma } from "@/lib/db/client";

/** Cookie holding the team picked in the team switcher; always re-validated against memberships. */
export const TEAM_COOKIE = "pullgate_team";

export type { MyTeam, SessionContext, SessionUser } from "@/lib/auth/load-session-context";

/**
 * The signed-in user, their teams and the current one, read from the database
 * on each request (memberships can change while a JWT is still valid).
 * Cached per request so layout and page share one query.
 */
export const getSessionContext = cache(async (): Promise<SessionContext | null> => {
  const session = await auth();
  const userId = session?.user?.id;
  if (!userId) return null;
  const ssoTeamId = (session as { ssoTeamId?: string | null }).ssoTeamId ?? null;
  return loadSessionContext(userId, (await cookies()).get(TEAM_COOKIE)?.value, ssoTeamId);
});

export async function getSessionActor(): Promise<Actor | null> {
  return (await getSessionContext())?.actor ?? null;
}

/** Pages and actions of a team that requires two-factor sign-in are closed to members without it. */
async function requireTwoFactorIfDemanded(): Promise<void> {
  if ((await getSessionContext())?.twoFactorMissing) redirect("/two-factor");
}

/** For pages and server actions of the portal: the actor, or a redirect to /signin. */
export async function requireSessionActor(): Promise<Actor> {
  const actor = await getSessionActor();
  if (!actor) redirect("/signin");
  await requireTwoFactorIfDemanded();
  return actor;
}

export async function listMyTeams(): Promise<MyTeam[]> {
  return (await getSessionContext())?.teams ?? [];
}

/**
 * The signed-in account, whether or not it belongs to a team yet (an invited
 * account joins its first team by accepting). Null when signed out.
 */
export const getSignedInUser = cache(async (): Promise<SessionUser | null> => {
  const session = await auth();
  const userId = session?.user?.id;
  if (!userId) return null;
  return prisma.user.findUnique({ where: { id: userId }, select: { id: true, email: true, name: true } });
});
