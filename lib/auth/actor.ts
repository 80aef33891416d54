import { ForbiddenError } from "@/lib/errors";

export type TeamRole = "owner" | "admin" | "member";

/**
 * Who is acting, and for which team. Produced by the portal session (a user
 * with the team picked in the team switcher) or by an API token (the token's
 * team). Every domain function takes one and scopes its queries by teamId.
 */
export type Actor = {
  teamId: string;
  userId: string | null;
  tokenId: string | null;
  role: TeamRole;
  /** Human label for the audit log: the user's email or "API token <name>". */
  label: string;
};

export function canWrite(actor: Pick<Actor, "role">): boolean {
  return actor.role === "owner" || actor.role === "admin";
}

/** Members are read-only everywhere: pages render, mutations are refused. */
export function assertCanWrite(actor: Pick<Actor, "role">): void {
  if (!canWrite(actor)) {
    throw new ForbiddenError("Your role in this team is read-only (member): ask an owner or admin to make this change.");
  }
}
