"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { signOut } from "@/lib/auth/auth";
import { TEAM_COOKIE, listMyTeams } from "@/lib/auth/session";

/** Switches the current team, only to one the user belongs to; lands on its dashboard. */
export async function switchTeam(teamId: string): Promise<{ error: string } | void> {
  const teams = await listMyTeams();
  if (teams.length === 0) redirect("/signin");
  if (!teams.some((t) => t.id === teamId)) return { error: "You are not a member of that team." };
  (await cookies()).set(TEAM_COOKIE, teamId, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    maxAge: 60 * 60 * 24 * 365,
  });
  redirect("/dashboard");
}

export async function signOutAction(): Promise<void> {
  (await cookies()).delete(TEAM_COOKIE);
  await signOut({ redirectTo: "/signin" });
}
