import { prisma } from "@/lib/db/client";

export type TwoFactorState = { enabled: boolean; recoveryCodesLeft: number; requiredBy: string[] };

/** The account's two-factor status and the names of its teams that require it. */
export async function getTwoFactorState(userId: string): Promise<TwoFactorState> {
  const user = await prisma.user.findUniqueOrThrow({
    where: { id: userId },
    select: {
      totpEnabledAt: true,
      _count: { select: { recoveryCodes: { where: { usedAt: null } } } },
      memberships: { where: { team: { requireTwoFactor: true } }, select: { team: { select: { name: true } } } },
    },
  });
  return { enabled: !!user.totpEnabledAt, recoveryCodesLeft: user._count.recoveryCodes, requiredBy: user.memberships.map((m) => m.team.name) };
}
