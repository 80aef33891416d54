import type { Actor } from "@/lib/auth/actor";

/** The actor audit events name when Pullgate itself changes a domain (background DNS checks). */
export function domainCheckActor(teamId: string): Actor {
  return { teamId, userId: null, tokenId: null, role: "admin", label: "Pullgate (automatic DNS check)" };
}
